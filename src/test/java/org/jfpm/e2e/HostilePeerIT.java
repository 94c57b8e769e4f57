package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Site;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Peers that are not nginx talking to the listen socket: the master closes their connection
 * and goes on serving everyone else.
 */
class HostilePeerIT {

    Site site;

    @BeforeEach
    void start() {
        site = Site.start(4);
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http-then-random", "bad-version", "unknown-record-type", "half-header-then-eof"})
    void garbagePeerIsClosedWhileNginxIsServed(String kind) throws Exception {
        Path socket = Path.of(site.backend.nginxAddress().substring("unix:".length()));
        try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            peer.connect(UnixDomainSocketAddress.of(socket));
            peer.write(ByteBuffer.wrap(garbage(kind)));
            if (kind.endsWith("-then-eof")) {
                peer.shutdownOutput();
            }
            CompletableFuture<Integer> end = readUntilClosed(peer);

            HttpResponse<byte[]> r = site.http.get("/echo.php?while=" + kind);
            assertThat(r.statusCode()).as(site.logs()).isEqualTo(200);
            assertThat(Http.text(r)).contains("get.while=" + kind + "\n");

            try {
                end.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the connection of a peer that sent " + kind
                        + " was still open after 10 s\n" + site.logs());
            }
        }
        HttpResponse<byte[]> after = site.http.get("/echo.php?after=" + kind);
        assertThat(after.statusCode()).as(site.logs()).isEqualTo(200);
        assertThat(site.backend.awaitWorkers(4, Duration.ofSeconds(5))).hasSize(4);
    }

    /**
     * Well-framed records whose PARAMS pairs run past their record: php-cgi would drop the
     * connection, and a master that passed them on would lose (and replace) a worker per
     * request. The peer's connection is closed unanswered, every worker stays.
     */
    @Test
    void malformedParamsCostNoWorker() throws Exception {
        List<Long> workers = site.backend.awaitWorkers(4, Duration.ofSeconds(5));
        assertThat(workers).hasSize(4);
        byte[] params = {11, 10, 'S', 'C', 'R', 'I', 'P', 'T', '_', 'N', 'A', 'M', 'E', '/', 'a', '.', 'p', 'h', 'p'};
        byte[] stream = concat(new byte[] {1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, // BEGIN_REQUEST
                concat(new byte[] {1, 4, 0, 1, 0, (byte) params.length, 0, 0}, params));
        stream = concat(stream, new byte[] {1, 4, 0, 1, 0, 0, 0, 0, 1, 5, 0, 1, 0, 0, 0, 0}); // end of PARAMS, STDIN
        Path socket = Path.of(site.backend.nginxAddress().substring("unix:".length()));
        for (int i = 0; i < 3; i++) {
            try (SocketChannel peer = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                peer.connect(UnixDomainSocketAddress.of(socket));
                peer.write(ByteBuffer.wrap(stream));
                assertThat(readUntilClosed(peer).get(10, TimeUnit.SECONDS)).as("bytes answered").isZero();
            }
        }
        HttpResponse<byte[]> after = site.http.get("/echo.php?after=malformed");
        assertThat(after.statusCode()).as(site.logs()).isEqualTo(200);
        assertThat(site.backend.workerPids()).as(site.logs()).containsExactlyElementsOf(workers);
        if (!Jfpm.isReference()) {
            assertThat(site.logs()).contains("closing FastCGI connection from", "malformed PARAMS");
        }
    }

    private static byte[] garbage(String kind) {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        return switch (kind) {
            case "http-then-random" -> concat("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), random);
            // FastCGI header: version 0, type BEGIN_REQUEST, id 1, length 8
            case "bad-version" -> concat(new byte[] {0, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, random);
            // version 1, type 99, id 1, length 8
            case "unknown-record-type" -> concat(new byte[] {1, 99, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}, random);
            // three bytes of a header, then the peer shuts its side
            case "half-header-then-eof" -> new byte[] {1, 1, 0};
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Completes when the peer's connection ends (EOF or reset), whatever it was sent first. */
    private static CompletableFuture<Integer> readUntilClosed(SocketChannel peer) {
        CompletableFuture<Integer> end = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            int total = 0;
            try (InputStream in = Channels.newInputStream(peer)) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
            } catch (IOException e) {
                // a reset is a close too
            }
            end.complete(total);
        });
        return end;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
