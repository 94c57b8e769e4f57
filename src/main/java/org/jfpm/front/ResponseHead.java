package org.jfpm.front;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The CGI header block at the start of a worker's STDOUT, read on the fly as
 * the records pass (nothing is held back), for the access log: the status
 * code from {@code Status:} (200 without one, as php-cgi omits it for 200)
 * and, when the format asks for {@code %o}, the header lines. Only the first
 * 8 KiB are looked at; a longer head keeps what was seen.
 */
final class ResponseHead {
    private static final int LIMIT = 8192;

    private final boolean keepHeaders;
    private final byte[] head = new byte[LIMIT];
    private int length;
    private boolean done;

    ResponseHead(boolean keepHeaders) {
        this.keepHeaders = keepHeaders;
    }

    boolean done() {
        return done;
    }

    /** Takes {@code len} bytes of STDOUT content at {@code from}. */
    void feed(ByteBuffer b, int from, int len) {
        int n = Math.min(len, LIMIT - length);
        for (int i = 0; i < n && !done; i++) {
            byte c = b.get(from + i);
            head[length++] = c;
            if (c == '\n' && endsBlock()) {
                done = true;
            }
        }
        if (length == LIMIT) {
            done = true;
        }
    }

    private boolean endsBlock() {
        int l = length;
        return l >= 2 && head[l - 2] == '\n' || l >= 3 && head[l - 2] == '\r' && head[l - 3] == '\n';
    }

    /** The {@code Status:} code, else 200. */
    int status() {
        int at = 0;
        while (at < length) {
            int eol = at;
            while (eol < length && head[eol] != '\n') {
                eol++;
            }
            if (eol - at > 8 && startsWithStatus(at)) {
                int v = at + 7;
                while (v < eol && head[v] == ' ') {
                    v++;
                }
                int code = 0;
                int digits = 0;
                while (v < eol && digits < 3 && head[v] >= '0' && head[v] <= '9') {
                    code = code * 10 + head[v++] - '0';
                    digits++;
                }
                return digits == 3 ? code : 200;
            }
            if (eol == at || eol == at + 1 && head[at] == '\r') {
                break; // end of the header block
            }
            at = eol + 1;
        }
        return 200;
    }

    private boolean startsWithStatus(int at) {
        String s = "status:";
        for (int i = 0; i < s.length(); i++) {
            if (Character.toLowerCase(head[at + i]) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The header lines as bytes-in-chars, or null when not kept. */
    String headers() {
        return keepHeaders ? new String(head, 0, length, StandardCharsets.ISO_8859_1) : null;
    }
}
