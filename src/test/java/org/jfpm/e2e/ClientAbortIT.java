package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Site;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A browser that goes away in the middle of a big response: nginx drops its FastCGI
 * connection while the worker is still writing. The pool must recover its worker and the
 * next requests must work. Both with nginx buffering the response (it notices the client
 * left and aborts the upstream) and without (the client's slowness reaches the worker).
 */
class ClientAbortIT {

    static final int WORKERS = 4;

    @ParameterizedTest(name = "fastcgi_buffering {0}")
    @ValueSource(strings = {"on", "off"})
    void clientThatLeavesMidResponseDoesNotHurtThePool(String buffering) throws Exception {
        try (Site site = Site.start(WORKERS, 0, "fastcgi_buffering " + buffering + ";")) {
            long masterPid = site.backend.pid();
            List<Long> before = site.backend.awaitWorkers(WORKERS, Duration.ofSeconds(5));
            assertThat(before).hasSize(WORKERS);

            // 64 MiB, flushed every 64 KiB with a 5 ms pause: about 5 s of streaming
            int received = readALittleThenReset(site.nginx.port(), "/big.php?mib=64&flush=1&delay_ms=5", 256 * 1024);
            assertThat(received).isGreaterThanOrEqualTo(256 * 1024).isLessThan(64 * 1024 * 1024);

            // the pool comes back to full strength (the abandoned worker finished, or was replaced)
            List<Long> after = site.backend.awaitWorkers(WORKERS, Duration.ofSeconds(20));
            assertThat(after).as(site.logs()).hasSize(WORKERS);
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> r = site.http.get("/echo.php?after=" + i);
                assertThat(r.statusCode()).as("request %d after the abort\n%s", i, site.logs()).isEqualTo(200);
                assertThat(Http.text(r)).contains("get.after=" + i + "\n");
            }
            HttpResponse<byte[]> big = site.http.get("/big.php?mib=5");
            assertThat(big.statusCode()).as(site.logs()).isEqualTo(200);
            assertThat(big.body().length).as("body length\n%s", site.logs()).isEqualTo(5 * 1024 * 1024);
            assertThat(Http.md5Hex(big.body())).isEqualTo(Http.md5Hex(HttpBasicsIT.bigPhpOutput(5)));
            assertThat(site.backend.pid()).isEqualTo(masterPid);
            assertThat(site.backend.awaitWorkers(WORKERS, Duration.ofSeconds(5))).hasSize(WORKERS);
        }
    }

    /** Sends a GET, reads at least {@code atLeast} bytes of the answer, then resets the connection. */
    static int readALittleThenReset(int port, String path, int atLeast) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(20_000);
            s.setReceiveBufferSize(64 * 1024);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            int total = 0;
            String head = null;
            while (total < atLeast) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                if (head == null) {
                    head = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                }
                total += n;
            }
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n");
            s.setSoLinger(true, 0); // close with RST, as a browser tab that is shut
            return total;
        }
    }
}
