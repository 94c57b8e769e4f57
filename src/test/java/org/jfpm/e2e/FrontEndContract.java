package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.KeptConnections;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ProjectFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every web server front end must get from jfpm, asked the same way through each:
 * the same PHP pages (src/test/resources/php) behind one example site file from
 * examples/, over real HTTP on loopback. A subclass names the front end and its example;
 * this class starts jfpm (a static pool of {@value #WORKERS} on a unix socket) before it
 * and stops both after, in reverse order, even when a start fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FrontEndContract {

    static final int WORKERS = 4;
    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 30;

    Jfpm jfpm;
    Http http;

    /** Starts the front end in front of {@code socket}, serving {@code docroot}. */
    abstract AutoCloseable startFrontEnd(Path socket, Path docroot);

    /** The front end's base URL, {@code http://127.0.0.1:PORT}. */
    abstract String baseUrl();

    /** The front end's logs, for assertion messages. */
    abstract String frontEndLogs();

    /** True when the front end keeps its FastCGI connections open between requests. */
    abstract boolean keepsConnections();

    private AutoCloseable frontEnd;

    @BeforeAll
    void start() {
        assumeTrue(Backends.hasMaster(), "needs jfpm or php-fpm, not bare php-cgi");
        boolean root = "root".equals(System.getProperty("user.name"));
        Jfpm.Pool pool = Jfpm.pool().maxChildren(WORKERS);
        if (root) {
            // Apache's children run as www-data: the socket is theirs, as in Debian's www.conf
            pool.line("listen.owner = www-data").line("listen.group = www-data").line("listen.mode = 0660");
        }
        jfpm = pool.start();
        frontEnd = startFrontEnd(jfpm.listenSocket(), ProjectFiles.phpDocroot());
        http = new Http(baseUrl());
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (http != null) {
                http.close();
            }
            if (frontEnd != null) {
                frontEnd.close();
            }
        } finally {
            if (jfpm != null) {
                jfpm.close();
            }
        }
    }

    String logs() {
        return (jfpm == null ? "" : jfpm.logText()) + "\n" + frontEndLogs();
    }

    @Test
    void getReachesTheScriptWithItsQuery() {
        HttpResponse<byte[]> r = http.get("/echo.php?a=1&b=two%20words");

        assertThat(r.statusCode()).as(logs()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(Http.text(r)).as(logs()).contains("method=GET\n", "query=a=1&b=two%20words\n", "get.a=1\n",
                "get.b=two words\n", "script=/echo.php\n");
    }

    @Test
    void multipartUploadArrivesWhole() {
        byte[] file = new byte[1 << 20];
        new Random(9).nextBytes(file);
        String boundary = "jfpm-boundary-7d1f";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nCharlotte\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> r = http.post("/upload.php", body.toByteArray(), "multipart/form-data; boundary=" + boundary);

        assertThat(r.statusCode()).as(logs()).isEqualTo(200);
        assertThat(Http.text(r)).as(logs()).contains("method=POST\n", "name=Charlotte\n", "error=0\n",
                "filename=blob.bin\n", "size=" + file.length + "\n", "md5=" + Http.md5Hex(file) + "\n");
    }

    @Test
    void rawPostBodyArrivesWhole() {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(payload);

        HttpResponse<byte[]> r = http.post("/md5.php", payload, "application/octet-stream");

        assertThat(r.statusCode()).as(logs()).isEqualTo(200);
        assertThat(Http.text(r)).as(logs()).contains("md5=" + Http.md5Hex(payload) + "\n",
                "length=" + payload.length + "\n");
    }

    @Test
    void statusCodesAndHeadersPassThrough() {
        HttpResponse<byte[]> notFound = http.get("/status.php?code=404");
        assertThat(notFound.statusCode()).as(logs()).isEqualTo(404);
        assertThat(Http.text(notFound)).isEqualTo("status=404\n");
        assertThat(notFound.headers().firstValue("X-Jfpm-Test")).hasValue("yes");
        // two header lines, or one joined by the front end (Apache does), as HTTP allows
        assertThat(String.join(", ", notFound.headers().allValues("X-Multi"))).isEqualTo("one, two");
        assertThat(notFound.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(notFound.headers().allValues("Set-Cookie")).containsExactly("first=one",
                "second=two; path=/sub; HttpOnly", "third=three%20three");

        HttpResponse<byte[]> redirect = http.get("/status.php?code=302&location=/elsewhere");
        assertThat(redirect.statusCode()).as(logs()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).hasValueSatisfying(v -> assertThat(v).endsWith("/elsewhere"));

        assertThat(http.get("/status.php?code=503").statusCode()).as(logs()).isEqualTo(503);
        assertThat(http.get("/status.php").statusCode()).as(logs()).isEqualTo(200);
    }

    @Test
    void concurrentKeptAliveRequestsAreAllAnswered() throws Exception {
        List<Callable<List<String>>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(() -> {
                // one HTTP client per thread: its own kept-alive connection to the front end
                List<String> wrong = new ArrayList<>();
                try (Http own = new Http(baseUrl())) {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        String id = client + "-" + i;
                        HttpResponse<byte[]> r = own.get("/echo.php?i=" + id);
                        if (r.statusCode() != 200 || !Http.text(r).contains("get.i=" + id + "\n")) {
                            wrong.add(id + ": " + r.statusCode() + " " + Http.text(r));
                        }
                    }
                }
                return wrong;
            });
        }
        List<String> wrong = new ArrayList<>();
        int answered = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            for (Future<List<String>> f : pool.invokeAll(clients, 90, TimeUnit.SECONDS)) {
                assertThat(f.isCancelled()).as("a client did not finish within 90 s\n" + logs()).isFalse();
                wrong.addAll(f.get());
                answered += REQUESTS_PER_CLIENT;
            }
        }

        assertThat(wrong).as(logs()).isEmpty();
        assertThat(answered).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
        Path socket = jfpm.listenSocket();
        if (keepsConnections()) {
            assertThat(KeptConnections.to(socket)).as("kept FastCGI connections to " + socket).isPositive();
        } else {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (KeptConnections.to(socket) > 0 && System.nanoTime() < deadline) {
                Pids.sleep(Duration.ofMillis(50));
            }
            assertThat(KeptConnections.to(socket)).as("FastCGI connections left open to " + socket).isZero();
        }
        // and the pool still answers afterwards
        assertThat(http.get("/echo.php?after=1").statusCode()).as(logs()).isEqualTo(200);
    }
}
