package org.jfpm.status;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * The answer to a {@code pm.status_path} request, as php-fpm's worker would
 * write it: the two no-cache headers, the format's content type, the body.
 * HEAD gets the headers only, with the content type PHP falls back to then
 * ({@code text/html; charset=UTF-8}, observed).
 */
public final class StatusPage {
    private StatusPage() {
    }

    public static final String NO_CACHE = "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
            + "Cache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n";

    /** CGI headers (each line ending CRLF, no blank line) and body bytes. */
    public record Answer(String headers, byte[] body) {
    }

    public static Answer answer(StatusSnapshot snapshot, String queryString, boolean head, ZoneId zone) {
        if (head) {
            return new Answer(NO_CACHE + "Content-type: text/html; charset=UTF-8\r\n", new byte[0]);
        }
        StatusFormat.Choice choice = StatusFormat.choose(queryString);
        String body = StatusWriter.of(choice.format(), zone).write(snapshot, choice.full());
        return new Answer(NO_CACHE + choice.format().contentType() + "\r\n",
                body.getBytes(StandardCharsets.ISO_8859_1));
    }
}
