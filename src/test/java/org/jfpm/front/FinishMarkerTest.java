package org.jfpm.front;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The prelude's fastcgi_finish_request() line on FCGI_STDERR: marker, CGI head, newline. */
class FinishMarkerTest {
    private static final byte[] LINE = "0123456789abcdef0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);

    private static byte[] head(String content) {
        byte[] bytes = ("xx" + content).getBytes(StandardCharsets.ISO_8859_1); // at an offset, as in a record
        return FinishMarker.head(ByteBuffer.wrap(bytes), 2, bytes.length - 2, LINE);
    }

    @Test
    void theMarkerAloneCarriesNoHead() {
        assertThat(head("0123456789abcdef0123456789abcdef\n")).isEmpty();
    }

    @Test
    void theHeadFollowsTheMarker() {
        assertThat(head("0123456789abcdef0123456789abcdefStatus: 201 Created\r\nX-A: 1\r\n\r\n\n"))
                .asString(StandardCharsets.ISO_8859_1).isEqualTo("Status: 201 Created\r\nX-A: 1\r\n\r\n");
    }

    @Test
    void anythingElseIsNotTheMarker() {
        assertThat(head("PHP Warning:  something\n")).isNull();
        assertThat(head("0123456789abcdef0123456789abcdeX\n")).as("one character off").isNull();
        assertThat(head("0123456789abcdef0123456789abcdef")).as("no newline").isNull();
        assertThat(head("0123456789abcdef0123456789abcdefX-A: 1")).as("no newline").isNull();
        assertThat(head("")).isNull();
    }
}
