package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Listening;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.fastcgi.FcgiCall;
import org.junit.jupiter.api.Test;

/**
 * SIGQUIT behind a load balancer that keeps its FastCGI connections (issue 19): a kept
 * connection idle at the signal is closed at once, one busy gets its whole answer and is
 * closed after it, and the socket refuses new connections, so the web server's next
 * request goes to another host and nothing it finds closed reached a worker.
 */
class GracefulDrainIT {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(20);
    /** Each blocking wait on a thread of its own: the common pool may have a single thread on 2 cores. */
    private static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofPlatform().start(r);

    @Test
    void keptConnectionsCloseOnceIdleAndTheRequestInFlightIsAnswered() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm keeps an idle kept connection open until its child exits");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).line("ping.path = /ping").start()) {
            UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(jfpm.listenSocket());
            try (SocketChannel idle = SocketChannel.open(StandardProtocolFamily.UNIX);
                 SocketChannel busy = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                idle.connect(socket);
                busy.connect(socket);
                assertThat(answer(idle, "/ping", "")).endsWith("pong"); // now a kept connection, idle
                // long enough to be in flight when the drain closes the idle one
                java.nio.file.Path started = jfpm.dir().resolve("slow.pid");
                CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> {
                    try {
                        return answer(busy, ProjectFiles.phpDocroot().resolve("sleep.php").toString(),
                                "ms=3000&pidfile=" + started);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, OWN_THREAD);
                awaitFile(started); // the slow request reached PHP

                jfpm.signal("QUIT");
                jfpm.awaitLog("NOTICE: Finishing \\.\\.\\.", Duration.ofSeconds(10));
                assertThat(readsEndOfStream(idle)).as("the idle kept connection is closed at once").isTrue();
                assertThat(inFlight).as("the slow request is still running").isNotDone();
                assertThat(Listening.accepts(jfpm.listenSocket())).as("no new connection is accepted").isFalse();

                assertThat(inFlight.get(20, TimeUnit.SECONDS)).as("the request in flight is answered")
                        .contains("slept pid=");
                assertThat(readsEndOfStream(busy)).as("then its kept connection is closed").isTrue();
            }
            assertThat(jfpm.awaitExit(Duration.ofSeconds(20))).hasValue(0);
            assertThat(jfpm.logText()).contains("NOTICE: exiting, bye-bye!");
        }
    }

    /**
     * The answer in flight when the stop begins is its connection's last: the connection's
     * output ends right after that answer's END_REQUEST (so nginx sees both together and
     * keeps the connection for nothing), and a request already sent behind it is not
     * served: it reached no worker, and the web server may send it elsewhere.
     */
    @Test
    void theAnswerInFlightIsItsConnectionsLastEvenWithARequestAlreadySentBehindIt() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm keeps a kept connection open until its child exits");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            java.nio.file.Path first = jfpm.dir().resolve("first.pid");
            java.nio.file.Path second = jfpm.dir().resolve("second.pid");
            String sleep = ProjectFiles.phpDocroot().resolve("sleep.php").toString();
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(jfpm.listenSocket()));
                ByteBuffer both = ByteBuffer.allocate(8192);
                request(both, sleep, "ms=2000&pidfile=" + first);
                request(both, sleep, "ms=0&pidfile=" + second); // behind it, on the same connection
                both.flip();
                while (both.hasRemaining()) {
                    ch.write(both);
                }
                CompletableFuture<byte[]> untilEnd = CompletableFuture.supplyAsync(() -> readToEnd(ch), OWN_THREAD);
                awaitFile(first);

                jfpm.signal("QUIT");
                byte[] answers = untilEnd.get(20, TimeUnit.SECONDS);
                String text = new String(answers, StandardCharsets.ISO_8859_1);
                assertThat(text).as("the request in flight is answered").contains("slept pid=");
                assertThat(endRequests(answers)).as("one answer, then the end of the connection").isEqualTo(1);
            }
            assertThat(jfpm.awaitExit(Duration.ofSeconds(20))).hasValue(0);
            assertThat(second).as("the request behind it reached no worker").doesNotExist();
        }
    }

    private static void request(ByteBuffer out, String script, String query) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_NAME", "/sleep.php");
        params.put("SCRIPT_FILENAME", script);
        params.put("QUERY_STRING", query);
        byte[] encoded = org.jfpm.fastcgi.NameValuePairs.encode(params);
        org.jfpm.fastcgi.Records.beginRequest(out, 1, org.jfpm.fastcgi.Fcgi.RESPONDER, org.jfpm.fastcgi.Fcgi.KEEP_CONN);
        org.jfpm.fastcgi.Records.streamAll(out, org.jfpm.fastcgi.Fcgi.PARAMS, 1, encoded);
        org.jfpm.fastcgi.Records.header(out, org.jfpm.fastcgi.Fcgi.PARAMS, 1, 0);
        org.jfpm.fastcgi.Records.header(out, org.jfpm.fastcgi.Fcgi.STDIN, 1, 0);
    }

    /** Every byte the connection gives until its end of stream (or reset). */
    private static byte[] readToEnd(SocketChannel ch) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try {
            while (ch.read(in.clear()) >= 0) {
                all.write(in.array(), 0, in.position());
            }
        } catch (java.io.IOException reset) {
            // the end as well
        }
        return all.toByteArray();
    }

    private static int endRequests(byte[] records) {
        ByteBuffer b = ByteBuffer.wrap(records);
        int count = 0;
        int p = 0;
        int n;
        while ((n = org.jfpm.fastcgi.RecordScan.scan(b, p, records.length)) > 0) {
            if (org.jfpm.fastcgi.RecordScan.type(b, p) == org.jfpm.fastcgi.Fcgi.END_REQUEST) {
                count++;
            }
            p += n;
        }
        return count;
    }

    private static void awaitFile(java.nio.file.Path file) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!java.nio.file.Files.exists(file) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(file).as("the slow request started").exists();
    }

    /** One request with FCGI_KEEP_CONN; the CGI answer as text. */
    private static String answer(SocketChannel ch, String script, String query) throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_NAME", script.startsWith("/ping") ? script : "/sleep.php");
        params.put("SCRIPT_FILENAME", script);
        params.put("REQUEST_URI", script);
        params.put("QUERY_STRING", query);
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REMOTE_ADDR", "127.0.0.1");
        return new String(FcgiCall.stdout(ch, params, true, TIMEOUT), StandardCharsets.UTF_8);
    }

    /** Whether a read on the connection ends (end of stream or reset) within 10 s. */
    private static boolean readsEndOfStream(SocketChannel ch) throws Exception {
        CompletableFuture<Boolean> end = CompletableFuture.supplyAsync(() -> {
            try {
                return ch.read(ByteBuffer.allocate(64)) < 0;
            } catch (java.io.IOException e) {
                return true; // reset: closed as well
            }
        }, OWN_THREAD);
        return end.get(10, TimeUnit.SECONDS);
    }
}
