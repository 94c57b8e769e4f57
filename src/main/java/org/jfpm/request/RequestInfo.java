package org.jfpm.request;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.RecordScan;

/**
 * What the master needs to know of a request, read from its PARAMS once the
 * head is complete: routing (ping and status paths), the status page's
 * per-worker fields and the access log. Only the names below are turned into
 * strings; the other pairs are skipped byte-wise. Each PARAMS record is read on
 * its own, as php-cgi reads it (fcgi_get_params): a pair whose lengths run past
 * the end of its record makes the request {@linkplain #malformed() malformed}.
 */
public final class RequestInfo implements NameValuePairs.Positions {
    private String method;
    private String scriptName;
    private String scriptFilename;
    private String pathTranslated;
    private String queryString = "";
    private String requestUri;
    private String authorization;
    private long contentLength;
    private byte[] params;
    private boolean malformed;

    /** A request with no PARAMS at all (php-fpm's access log shows '-' for its fields). */
    public static final RequestInfo EMPTY = new RequestInfo();

    /**
     * Reads the PARAMS records in {@code buf[from, to)} (records of other types
     * are skipped). With {@code keepAll} a copy of the pairs is kept for
     * {@link #param}.
     */
    public static RequestInfo parse(ByteBuffer buf, int from, int to, boolean keepAll) {
        RequestInfo info = new RequestInfo();
        int total = 0;
        for (int p = from; p < to; p += RecordScan.recordLength(buf, p)) {
            int len = RecordScan.contentLength(buf, p);
            if (RecordScan.type(buf, p) == Fcgi.PARAMS && len > 0) {
                total += len;
                info.malformed |= !info.pairs(buf, p + Fcgi.HEADER_LEN, p + Fcgi.HEADER_LEN + len);
            }
        }
        if (keepAll && total > 0) {
            byte[] pairs = new byte[total];
            int at = 0;
            for (int p = from; p < to; p += RecordScan.recordLength(buf, p)) {
                if (RecordScan.type(buf, p) == Fcgi.PARAMS) {
                    int len = RecordScan.contentLength(buf, p);
                    buf.get(p + Fcgi.HEADER_LEN, pairs, at, len);
                    at += len;
                }
            }
            info.params = pairs;
        }
        return info;
    }

    /**
     * True when a PARAMS record's pairs break php-cgi's rule: a name or value length
     * that runs past the end of the record (a pair spanning two records included).
     * php-cgi drops such a request with its connection, without an answer; the master
     * does the same rather than lose a worker to it.
     */
    public boolean malformed() {
        return malformed;
    }

    /** Takes the pairs of one record's content {@code [pos, limit)}; false where a length runs past the end. */
    private boolean pairs(ByteBuffer b, int pos, int limit) {
        return NameValuePairs.walk(b, pos, limit, this) == null;
    }

    @Override
    public boolean pair(ByteBuffer b, int name, int nameLen, int value, int valueLen) {
        take(b, name, nameLen, value, valueLen);
        return true;
    }

    private void take(ByteBuffer b, int name, int nameLen, int value, int valueLen) {
        switch (nameLen) {
            case 11 -> {
                if (is(b, name, "SCRIPT_NAME")) {
                    scriptName = text(b, value, valueLen);
                } else if (is(b, name, "REQUEST_URI")) {
                    requestUri = text(b, value, valueLen);
                }
            }
            case 12 -> {
                if (is(b, name, "QUERY_STRING")) {
                    queryString = text(b, value, valueLen);
                }
            }
            case 14 -> {
                if (is(b, name, "REQUEST_METHOD")) {
                    method = text(b, value, valueLen);
                } else if (is(b, name, "CONTENT_LENGTH")) {
                    contentLength = number(b, value, valueLen);
                }
            }
            case 15 -> {
                if (is(b, name, "SCRIPT_FILENAME")) {
                    scriptFilename = text(b, value, valueLen);
                } else if (is(b, name, "PATH_TRANSLATED")) {
                    pathTranslated = text(b, value, valueLen);
                }
            }
            case 18 -> {
                if (is(b, name, "HTTP_AUTHORIZATION")) {
                    authorization = text(b, value, valueLen);
                }
            }
            default -> { }
        }
    }

    private static boolean is(ByteBuffer b, int pos, String name) {
        for (int i = 0; i < name.length(); i++) {
            if (b.get(pos + i) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String text(ByteBuffer b, int pos, int len) {
        byte[] bytes = new byte[len];
        b.get(pos, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /**
     * CONTENT_LENGTH read as C's atol reads it (php-cgi's own reading): leading
     * blanks, an optional sign, then digits up to the first other byte; nothing
     * readable is 0. nginx sends it empty on every GET, so no exception path here.
     */
    static long number(ByteBuffer b, int pos, int len) {
        int end = pos + len;
        while (pos < end && (b.get(pos) == ' ' || b.get(pos) == '\t')) {
            pos++;
        }
        boolean negative = pos < end && b.get(pos) == '-';
        if (pos < end && (b.get(pos) == '-' || b.get(pos) == '+')) {
            pos++;
        }
        long n = 0;
        for (; pos < end; pos++) {
            int digit = b.get(pos) - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            n = n > (Long.MAX_VALUE - digit) / 10 ? Long.MAX_VALUE : n * 10 + digit;
        }
        return negative ? -n : n;
    }

    /** REQUEST_METHOD, or null. */
    public String method() {
        return method;
    }

    /** SCRIPT_NAME, or null: what php-fpm compares with ping.path and pm.status_path. */
    public String scriptName() {
        return scriptName;
    }

    /** SCRIPT_FILENAME, else PATH_TRANSLATED, or null. */
    public String scriptFilename() {
        return scriptFilename != null ? scriptFilename : pathTranslated;
    }

    /** QUERY_STRING, empty when absent. */
    public String queryString() {
        return queryString;
    }

    /** REQUEST_URI as the web server sent it, or null. */
    public String requestUri() {
        return requestUri;
    }

    public long contentLength() {
        return contentLength;
    }

    /** The user of HTTP basic authentication, or null (php-fpm's %u and status "user"). */
    public String user() {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.ISO_8859_1);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Any FastCGI param, when the pairs were kept ({@code keepAll}); else null. */
    public String param(String name) {
        if (params == null) {
            return null;
        }
        String[] found = new String[1];
        NameValuePairs.decode(ByteBuffer.wrap(params), 0, params.length, (n, v) -> {
            if (n.equals(name)) {
                found[0] = v;
                return false;
            }
            return true;
        });
        return found[0];
    }
}
