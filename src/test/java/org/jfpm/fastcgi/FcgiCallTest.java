package org.jfpm.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jfpm's own small FastCGI requests, against a peer on a unix socket pair. */
class FcgiCallTest {

    @TempDir
    Path dir;

    @Test
    void gathersStdoutAcrossRecordsAndSkipsStderr() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            CompletableFuture<Map<String, String>> asked = CompletableFuture.supplyAsync(() -> answer(server));
            try (SocketChannel ch = SocketChannel.open(server.getLocalAddress())) {
                byte[] out = FcgiCall.stdout(ch, Map.of("SCRIPT_NAME", "/ping"), false, TimeUnit.SECONDS.toNanos(10));
                assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("Content-type: text/plain\r\n\r\npong");
            }
            assertThat(asked.get(10, TimeUnit.SECONDS)).containsEntry("SCRIPT_NAME", "/ping");
        }
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(dir.resolve("s.sock")));
            try (SocketChannel ch = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                assertThat(accepted).isNotNull();
                assertThatThrownBy(() -> FcgiCall.stdout(ch, Map.of("SCRIPT_NAME", "/ping"), false,
                        TimeUnit.MILLISECONDS.toNanos(200)))
                        .isInstanceOf(FcgiCall.Timeout.class).hasMessage("no answer within 200 ms");
            }
        }
    }

    /** Reads the request's params, answers STDOUT in two records with STDERR between, then END_REQUEST. */
    private static Map<String, String> answer(ServerSocketChannel server) {
        try (SocketChannel peer = server.accept()) {
            ByteBuffer in = ByteBuffer.allocate(4096);
            java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
            boolean done = false;
            while (!done && peer.read(in) >= 0) {
                int p = 0;
                int n;
                while ((n = RecordScan.scan(in, p, in.position())) > 0) {
                    int len = RecordScan.contentLength(in, p);
                    if (RecordScan.type(in, p) == Fcgi.PARAMS && len > 0) {
                        NameValuePairs.decode(in, p + Fcgi.HEADER_LEN, p + Fcgi.HEADER_LEN + len,
                                (name, value) -> { params.put(name, value); return true; });
                    }
                    done |= RecordScan.type(in, p) == Fcgi.STDIN && len == 0;
                    p += n;
                }
                in.limit(in.position()).position(p).compact();
            }
            ByteBuffer out = ByteBuffer.allocate(1024);
            Records.streamAll(out, Fcgi.STDOUT, 1, "Content-type: text/plain\r\n".getBytes(StandardCharsets.US_ASCII));
            Records.streamAll(out, Fcgi.STDERR, 1, "a warning\n".getBytes(StandardCharsets.US_ASCII));
            Records.streamAll(out, Fcgi.STDOUT, 1, "\r\npong".getBytes(StandardCharsets.US_ASCII));
            Records.header(out, Fcgi.STDOUT, 1, 0);
            Records.endRequest(out, 1, 0, Fcgi.REQUEST_COMPLETE);
            out.flip();
            while (out.hasRemaining()) {
                peer.write(out);
            }
            return params;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
