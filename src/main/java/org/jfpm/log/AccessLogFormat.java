package org.jfpm.log;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jfpm.os.RequestUsage;

/**
 * {@code access.format} compiled once into parts (php-fpm's sapi/fpm/fpm/fpm_log.c,
 * the tokens of fpm_log_write). The format was validated when the configuration was
 * loaded (config's AccessFormatCheck, with php-fpm's messages), so here every
 * token is known; one that is not is written as it stands.
 *
 * <p>Lines are built as byte strings (one char per byte) so request data goes
 * out as the web server sent it.
 */
public final class AccessLogFormat {
    /** php-fpm's default {@code access.format}. */
    public static final String DEFAULT = "%R - %u %t \"%m %r\" %s";

    private interface Part {
        void append(StringBuilder out, AccessEntry e, Context c);
    }

    /** What a line needs besides the entry. */
    record Context(String pool, long masterPid, ZoneId zone, long nowMillis) {
    }

    private final List<Part> parts;
    private final boolean usesParams;
    private final boolean usesResponseHeaders;
    private final boolean usesUsage;

    private AccessLogFormat(List<Part> parts, boolean params, boolean headers, boolean usage) {
        this.parts = parts;
        this.usesParams = params;
        this.usesResponseHeaders = headers;
        this.usesUsage = usage;
    }

    /** Whether lines need every FastCGI param ({@code %e}). */
    public boolean usesParams() {
        return usesParams;
    }

    /** Whether lines need the response's header block ({@code %o}). */
    public boolean usesResponseHeaders() {
        return usesResponseHeaders;
    }

    /** Whether lines need the worker's CPU and memory ({@code %C}, {@code %M}). */
    public boolean usesUsage() {
        return usesUsage;
    }

    String line(AccessEntry e, Context c) {
        StringBuilder out = new StringBuilder(160);
        for (Part p : parts) {
            p.append(out, e, c);
        }
        return out.toString();
    }

    public static AccessLogFormat compile(String format) {
        List<Part> parts = new ArrayList<>();
        boolean params = false;
        boolean headers = false;
        boolean usage = false;
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char ch = format.charAt(i);
            if (ch != '%' || i + 1 >= format.length()) {
                literal.append(ch);
                i++;
                continue;
            }
            i++;
            String modifier = null;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0 || close + 1 >= format.length()) {
                    literal.append(format, i - 1, format.length());
                    break;
                }
                modifier = format.substring(i + 1, close);
                if (modifier.length() > 128) {
                    modifier = modifier.substring(0, 128); // php-fpm's modifier buffer
                }
                i = close + 1;
            }
            char token = format.charAt(i++);
            if (token == '%') {
                literal.append('%');
                continue;
            }
            if (!literal.isEmpty()) {
                String text = literal.toString();
                parts.add((out, e, c) -> out.append(text));
                literal.setLength(0);
            }
            params |= token == 'e';
            headers |= token == 'o';
            usage |= token == 'C' || token == 'M';
            parts.add(part(token, modifier));
        }
        if (!literal.isEmpty()) {
            String text = literal.toString();
            parts.add((out, e, c) -> out.append(text));
        }
        return new AccessLogFormat(List.copyOf(parts), params, headers, usage);
    }

    private static Part part(char token, String modifier) {
        String mod = modifier == null ? "" : modifier.toLowerCase(Locale.ROOT);
        return switch (token) {
            case 'C' -> cpu(mod);
            case 'd' -> duration(mod);
            case 'e' -> (out, e, c) -> out.append(orDash(e.info().param(modifier)));
            case 'f' -> (out, e, c) -> out.append(orDash(e.info().scriptFilename()));
            case 'l' -> (out, e, c) -> out.append(e.info().contentLength());
            case 'm' -> (out, e, c) -> out.append(orDash(e.info().method()));
            case 'M' -> memory(mod);
            case 'n' -> (out, e, c) -> out.append(c.pool());
            case 'o' -> (out, e, c) -> out.append(orDash(header(e.responseHead(), modifier)));
            case 'p' -> (out, e, c) -> out.append(e.workerPid());
            case 'P' -> (out, e, c) -> out.append(c.masterPid());
            case 'q' -> (out, e, c) -> out.append(e.info().queryString());
            case 'Q' -> (out, e, c) -> out.append(e.info().queryString().isEmpty() ? "" : "?");
            case 'r' -> (out, e, c) -> out.append(orEmpty(e.info().scriptName()));
            case 'R' -> (out, e, c) -> out.append(e.peerIp() == null ? "-" : e.peerIp());
            case 's' -> (out, e, c) -> out.append(e.status());
            case 't' -> time(modifier, true);
            case 'T' -> time(modifier, false);
            case 'u' -> (out, e, c) -> out.append(orEmpty(e.info().user()));
            default -> {
                String text = "%" + (modifier == null ? "" : "{" + modifier + "}") + token;
                yield (out, e, c) -> out.append(text);
            }
        };
    }

    private static Part cpu(String mod) {
        return (out, e, c) -> {
            RequestUsage u = e.usage() == null ? RequestUsage.NONE : e.usage();
            double v = switch (mod) {
                case "user" -> u.userPercent();
                case "system" -> u.systemPercent();
                default -> u.cpuPercent();
            };
            out.append(String.format(Locale.ROOT, "%.2f", v));
        };
    }

    private static Part duration(String mod) {
        return switch (mod) {
            case "milli", "mili", "milliseconds", "miliseconds" ->
                    (out, e, c) -> out.append(String.format(Locale.ROOT, "%.3f", e.durationNanos() / 1e6));
            case "micro", "microseconds" -> (out, e, c) -> out.append(e.durationNanos() / 1000);
            default -> (out, e, c) -> out.append(String.format(Locale.ROOT, "%.3f", e.durationNanos() / 1e9));
        };
    }

    private static Part memory(String mod) {
        long unit = switch (mod) {
            case "kilo", "kilobytes" -> 1024;
            case "mega", "megabytes" -> 1024 * 1024;
            default -> 1;
        };
        return (out, e, c) -> out.append((e.usage() == null ? 0 : e.usage().peakMemoryBytes()) / unit);
    }

    private static Part time(String modifier, boolean accept) {
        String pattern = modifier == null ? "%d/%b/%Y:%H:%M:%S %z" : modifier;
        return (out, e, c) -> {
            long millis = accept ? e.acceptMillis() : c.nowMillis();
            ZonedDateTime t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis), c.zone());
            out.append(Strftime.format(pattern, t));
        };
    }

    /**
     * The first header {@code name} (case-sensitive, as php-fpm compares) in a CGI
     * header block. {@code Status} and the {@code Content-type} line PHP adds by
     * itself are not response headers in php-fpm's list, so they are not found
     * (PHP spells its own default {@code Content-type}; a script's header() keeps
     * the script's spelling, usually {@code Content-Type}).
     */
    static String header(String head, String name) {
        if (head == null || name == null || name.equals("Status") || name.equals("Content-type")) {
            return null;
        }
        int at = 0;
        while (at < head.length()) {
            int eol = head.indexOf('\n', at);
            if (eol < 0) {
                eol = head.length();
            }
            int end = eol > at && head.charAt(eol - 1) == '\r' ? eol - 1 : eol;
            if (head.startsWith(name, at) && at + name.length() < end && head.charAt(at + name.length()) == ':') {
                int v = at + name.length() + 1;
                while (v < end && head.charAt(v) == ' ') {
                    v++;
                }
                return head.substring(v, end);
            }
            at = eol + 1;
        }
        return null;
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
