package org.jfpm.status;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A status page format: writes a {@link StatusSnapshot} as php-fpm does, byte
 * for byte. Strings in a snapshot hold one byte per char (request data as the
 * web server sent it); the page is encoded ISO-8859-1 so those bytes go out
 * unchanged, and each writer escapes for its own format.
 */
interface StatusWriter {

    String write(StatusSnapshot snapshot, boolean full);

    /** php-fpm's text and HTML time, strftime {@code %d/%b/%Y:%H:%M:%S %z}, local time. */
    DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    static String localTime(String epochSeconds, ZoneId zone) {
        return LOCAL_TIME.format(Instant.ofEpochSecond(Long.parseLong(epochSeconds)).atZone(zone));
    }

    static StatusWriter of(StatusFormat format, ZoneId zone) {
        return switch (format) {
            case TEXT -> new TextStatus(zone);
            case HTML -> new HtmlStatus(zone);
            case XML -> new XmlStatus();
            case JSON -> new JsonStatus();
            case OPENMETRICS -> new OpenMetricsStatus();
        };
    }

    /** htmlspecialchars() with ENT_COMPAT, as php-fpm escapes HTML and XML values: {@code & < > "}. */
    static String html(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                default -> null;
            };
            if (rep != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }
}
