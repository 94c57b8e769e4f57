package org.jfpm.front;

import java.nio.ByteBuffer;

/**
 * The prelude's fastcgi_finish_request() signal as it arrives on FCGI_STDERR: the
 * pool's marker (128 random bits in hex, known to the master alone), then the CGI
 * head the response must carry when the script sent no output before the call
 * (empty otherwise), then the newline php-cgi's error_log(..., 4) adds.
 *
 * <p>php-fpm's fastcgi_finish_request() sends the headers set so far before it ends
 * the response (sapi/fpm/fpm/fpm_main.c, PHP_FUNCTION(fastcgi_finish_request):
 * php_output_end_all() then php_header()); php-cgi has no such call, so the prelude
 * writes the head as php-cgi's SAPI would (sapi/cgi/cgi_main.c, sapi_cgi_send_headers)
 * and the master sends it on as FCGI_STDOUT.
 */
final class FinishMarker {
    private FinishMarker() {}

    /**
     * The CGI head carried by the FCGI_STDERR content {@code b[from, from + length)} if it
     * is the marker, else null. {@code markerLine} is the marker and its newline.
     */
    static byte[] head(ByteBuffer b, int from, int length, byte[] markerLine) {
        int markerLength = markerLine.length - 1;
        if (length < markerLine.length || b.get(from + length - 1) != '\n') {
            return null;
        }
        for (int i = 0; i < markerLength; i++) {
            if (b.get(from + i) != markerLine[i]) {
                return null;
            }
        }
        byte[] head = new byte[length - markerLine.length];
        b.get(from + markerLength, head);
        return head;
    }
}
