package org.jfpm.front;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.Records;
import org.jfpm.status.StatusPage;

/**
 * A response the master writes itself: CGI headers and a body, sent as STDOUT
 * records and END_REQUEST, the way a php-fpm worker answers ping and status.
 */
record MasterPage(String headers, byte[] body) {

    /**
     * {@code ping.response} as text/plain, no newline; HEAD gets the headers alone.
     * The content type comes first here, before php-fpm's two cache headers (observed).
     */
    static MasterPage ping(String response, boolean head) {
        return new MasterPage("Content-type: text/plain;charset=UTF-8\r\n" + StatusPage.NO_CACHE,
                head ? new byte[0] : response.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The answer to a request the pool turned away (jfpm.queue_limit, jfpm.queue_timeout): 503,
     * a Retry-After of one second, a short plain-text body, never cached.
     */
    static MasterPage unavailable() {
        return new MasterPage("Status: 503 Service Unavailable\r\nRetry-After: 1\r\n"
                + "Content-type: text/plain;charset=UTF-8\r\n" + StatusPage.NO_CACHE,
                "503 Service Unavailable: every worker is busy, try again later.\n".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The page with the header lines PHP adds to every answer ({@code X-Powered-By}) where PHP
     * puts them: first, after the Status line when there is one (sapi_cgi_send_headers).
     */
    MasterPage withPhpHeaders(String lines) {
        if (lines.isEmpty()) {
            return this;
        }
        int afterStatus = headers.startsWith("Status: ") ? headers.indexOf("\r\n") + 2 : 0;
        return new MasterPage(headers.substring(0, afterStatus) + lines + headers.substring(afterStatus), body);
    }

    /**
     * The records for request {@code requestId}: one FCGI_STDERR record of {@code stderr} when
     * not null, STDOUT split as needed, the empty STDOUT, END_REQUEST.
     */
    static ByteBuffer records(int requestId, MasterPage page, String stderr) {
        byte[] err = stderr == null ? new byte[0] : stderr.getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = (page.headers + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[head.length + page.body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(page.body, 0, all, head.length, page.body.length);
        int records = all.length / Fcgi.MAX_CONTENT + 1;
        ByteBuffer out = ByteBuffer.allocate(all.length + records * (Fcgi.HEADER_LEN + 7)
                + Records.paddedLength(err.length) + Records.paddedLength(0) + Records.paddedLength(Fcgi.END_BODY_LEN));
        if (err.length > 0) {
            Records.stream(out, Fcgi.STDERR, requestId, err, 0, err.length); // first, as php-fpm's buffer sends it
        }
        Records.streamAll(out, Fcgi.STDOUT, requestId, all);
        Records.header(out, Fcgi.STDOUT, requestId, 0);
        Records.endRequest(out, requestId, 0, Fcgi.REQUEST_COMPLETE);
        return out.flip();
    }
}
