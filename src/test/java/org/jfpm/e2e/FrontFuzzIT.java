package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Pids;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile peers on the listen socket: random and mutated FastCGI streams (fixed seed), a few
 * hundred clients that dribble a request head, a peer that sends nothing. The master must
 * close them (the slow ones after the 5 s head timeout, with a log line), survive, keep its
 * memory bounded, and serve a valid request after every batch.
 *
 * <p>{@code -Dfuzz.count=N} (default 1500, about 25 s) and {@code -Dfuzz.seed=S} (default 20261127) set
 * the run; a longer one, e.g. {@code mvn -o verify -Dit.test=FrontFuzzIT -Dfuzz.count=200000},
 * takes about 17 s per 1000 streams.
 */
class FrontFuzzIT {

    static final int COUNT = Integer.getInteger("fuzz.count", 1500);
    static final long SEED = Long.getLong("fuzz.seed", 20261127L);
    static final int BATCH = 100;

    @Test
    @Timeout(300)
    void randomAndMutatedStreamsNeverHurtTheMaster() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            Random random = new Random(SEED);
            byte[] valid = validRequest(random);
            AtomicInteger answered = new AtomicInteger();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int done = 0; done < COUNT; done += BATCH) {
                    List<Future<?>> batch = new ArrayList<>();
                    List<byte[]> streams = new ArrayList<>();
                    for (int i = 0; i < Math.min(BATCH, COUNT - done); i++) {
                        byte[] stream = mutate(valid, random);
                        streams.add(stream);
                        batch.add(threads.submit(() -> {
                            if (sendAndAwaitClose(jfpm.listenSocket(), stream) > 0) {
                                answered.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        try {
                            batch.get(i).get(15, TimeUnit.SECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            Files.write(Path.of("target/fuzz-failure.bin"), streams.get(i));
                            throw new AssertionError("stream " + (done + i) + " was not closed within 30 s: "
                                    + java.util.HexFormat.of().formatHex(streams.get(i), 0,
                                    Math.min(400, streams.get(i).length)) + "\n" + jfpm.logText());
                        }
                    }
                    assertThat(jfpm.isAlive()).isTrue();
                    assertValidRequestServed(jfpm, "after " + (done + batch.size()) + " streams");
                }
            }
            long rssKb = rssKb(jfpm.pid());
            System.out.printf("fuzz: %d streams (seed %d), %d got bytes back; master VmRSS %d MB, VmHWM %d MB%n",
                    COUNT, SEED, answered.get(), rssKb / 1024, hwmKb(jfpm.pid()) / 1024);
            assertThat(rssKb).as("master RSS").isLessThan(512 * 1024);
            assertThat(jfpm.logText()).doesNotContain("Exception in thread", "OutOfMemoryError");
        }
    }

    @Test
    @Timeout(120)
    void slowClientsAreClosedAfterTheHeadTimeoutWhileOthersAreServed() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            Path socket = jfpm.listenSocket();
            List<SocketChannel> slow = new ArrayList<>();
            try {
                FcgiClient kept = FcgiClient.connect(socket);
                assertThat(kept.request(RequestSemanticsIT.get("echo.php", "kept=1"), new byte[0]).bodyText())
                        .contains("get.kept=1\n");
                long t0 = System.nanoTime();
                for (int i = 0; i < 300; i++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    if (i % 3 != 0) { // two in three dribble half a header, the rest send nothing
                        ch.write(ByteBuffer.wrap(new byte[] {1, 1, 0}));
                    }
                    slow.add(ch);
                }
                for (int i = 0; i < 20; i++) {
                    assertValidRequestServed(jfpm, "with 300 slow clients, request " + i);
                }
                assertThat(jfpm.logText()).as("served while the slow clients still held their connections")
                        .doesNotContain("no complete request head");
                for (SocketChannel ch : slow) {
                    ch.write(ByteBuffer.wrap(new byte[] {1})); // dribbling on does not reset the timer
                }
                for (SocketChannel ch : slow) {
                    assertThat(readUntilClosed(ch)).isZero();
                }
                long closedAfter = (System.nanoTime() - t0) / 1_000_000;
                assertThat(closedAfter).isBetween(4500L, 12_000L);
                jfpm.awaitLog("WARNING: \\[pool www\\] closing FastCGI connection from .*: no complete request head "
                        + "within 5 seconds", Duration.ofSeconds(1));
                // a kept connection idle between requests has no timeout, as with php-fpm
                assertThat(kept.request(RequestSemanticsIT.get("echo.php", "kept=2"), new byte[0]).bodyText())
                        .contains("get.kept=2\n");
                kept.close();
            } finally {
                for (SocketChannel ch : slow) {
                    ch.close();
                }
            }
        }
    }

    /**
     * The master is alive and serves a valid request. A hostile batch may have left a
     * worker on its way out (php-cgi dies on some inputs php-fpm's worker dies on too):
     * the request that meets it ends without output, as nginx's 502, and the pool replaces
     * the worker; so one failed attempt is allowed, a second one a second later is not.
     */
    static void assertValidRequestServed(Jfpm jfpm, String when) throws IOException {
        IOException first = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
                FcgiClient.Response r = client.request(RequestSemanticsIT.get("echo.php", "ok=1"), new byte[0]);
                assertThat(r.bodyText()).as(when + "\n" + jfpm.logText()).contains("get.ok=1\n");
                return;
            } catch (IOException e) {
                if (first != null) {
                    e.addSuppressed(first);
                    throw new IOException(when + ": no valid answer twice\n" + jfpm.logText(), e);
                }
                first = e;
                Pids.sleep(Duration.ofSeconds(1));
            }
        }
    }

    static byte[] validRequest(Random random) {
        Map<String, String> params = RequestSemanticsIT.get("echo.php", "fuzz=1");
        params.put("CONTENT_LENGTH", "100");
        byte[] body = new byte[100];
        random.nextBytes(body);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(FcgiClient.beginRequest(1, true));
        out.writeBytes(FcgiClient.stream(Fcgi.PARAMS, 1, org.jfpm.fastcgi.NameValuePairs.encode(params), 65535));
        out.writeBytes(FcgiClient.stream(Fcgi.PARAMS, 1, new byte[0], 1));
        out.writeBytes(FcgiClient.stream(Fcgi.STDIN, 1, body, 65535));
        out.writeBytes(FcgiClient.stream(Fcgi.STDIN, 1, new byte[0], 1));
        return out.toByteArray();
    }

    /** One hostile stream: random bytes, or the valid request with bytes, lengths, ids or types changed, cut or repeated. */
    static byte[] mutate(byte[] valid, Random r) {
        byte[] s = valid.clone();
        switch (r.nextInt(8)) {
            case 0 -> {
                s = new byte[1 + r.nextInt(3000)];
                r.nextBytes(s);
                if (r.nextBoolean()) {
                    s[0] = 1; // a FastCGI version byte, so the garbage gets past the first check
                }
            }
            case 1 -> {
                for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
                    s[r.nextInt(s.length)] = (byte) r.nextInt(256);
                }
            }
            case 2 -> s = java.util.Arrays.copyOf(s, r.nextInt(s.length));
            case 3 -> { // a header field of some record: type, id, length or padding
                int rec = recordStart(s, r);
                int field = 1 + r.nextInt(6);
                s[rec + field] = (byte) r.nextInt(256);
            }
            case 4 -> { // a lying length: the content says more than what follows
                int rec = recordStart(s, r);
                s[rec + 4] = (byte) 0xFF;
                s[rec + 5] = (byte) 0xFF;
            }
            case 5 -> { // the request twice, the second with another id, or the head alone repeated
                byte[] twice = java.util.Arrays.copyOf(s, s.length * 2);
                System.arraycopy(s, 0, twice, s.length, s.length);
                twice[s.length + 3] = (byte) (2 + r.nextInt(5));
                s = twice;
            }
            case 6 -> { // an unknown role, or a management record type in the middle
                int rec = recordStart(s, r);
                if (r.nextBoolean()) {
                    s[9] = (byte) (4 + r.nextInt(200));
                } else {
                    s[rec + 1] = (byte) (Fcgi.GET_VALUES + r.nextInt(3));
                    s[rec + 2] = 0;
                    s[rec + 3] = 0;
                }
            }
            default -> { // huge params: many PARAMS records up to and past the 1 MiB bound
                int records = 8 + r.nextInt(12);
                byte[] big = new byte[s.length + records * (8 + 65535 + 1)];
                System.arraycopy(s, 0, big, 0, 16);
                int at = 16;
                for (int i = 0; i < records; i++) {
                    big[at] = 1;
                    big[at + 1] = Fcgi.PARAMS;
                    big[at + 3] = 1;
                    big[at + 4] = (byte) 0xFF;
                    big[at + 5] = (byte) 0xFF;
                    big[at + 6] = 1;
                    at += 8 + 65535 + 1;
                }
                s = java.util.Arrays.copyOf(big, at);
            }
        }
        return s;
    }

    /** The start of a random record of the valid request (walking the headers). */
    static int recordStart(byte[] s, Random r) {
        List<Integer> starts = new ArrayList<>();
        for (int p = 0; p + 8 <= s.length; ) {
            starts.add(p);
            p += 8 + (((s[p + 4] & 0xFF) << 8) | (s[p + 5] & 0xFF)) + (s[p + 6] & 0xFF);
        }
        return starts.get(r.nextInt(starts.size()));
    }

    /** Writes the stream (the master may close first), half-closes, and reads to the end; returns the bytes read. */
    static int sendAndAwaitClose(Path socket, byte[] stream) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ch.write(ByteBuffer.wrap(stream));
                    ch.shutdownOutput();
                } catch (IOException closedByTheMaster) {
                    // fine: it read enough to know
                }
            });
            int total = readUntilClosed(ch);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return total;
        }
    }

    static int readUntilClosed(SocketChannel ch) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int total = 0;
        try {
            int n;
            while ((n = ch.read(buf.clear())) >= 0) {
                total += n;
            }
        } catch (IOException reset) {
            // a reset is a close too
        }
        return total;
    }

    static long rssKb(long pid) throws IOException {
        return statusKb(pid, "VmRSS:");
    }

    static long hwmKb(long pid) throws IOException {
        return statusKb(pid, "VmHWM:");
    }

    private static long statusKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
