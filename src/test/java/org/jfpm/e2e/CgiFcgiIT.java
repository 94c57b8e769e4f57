package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.e2e.support.WebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/cgi-fcgi.sh, the one-liner with libfcgi-bin's {@code cgi-fcgi}: one request to
 * the pool's socket without a web server, answered with the raw CGI response.
 */
class CgiFcgiIT {

    private static final Path SCRIPT = ProjectFiles.root().resolve("examples/cgi-fcgi.sh");

    static Jfpm jfpm;
    static Path docroot;

    @BeforeAll
    static void start() {
        assumeTrue(Backends.hasMaster(), "needs jfpm or php-fpm, not bare php-cgi");
        assumeTrue(WebServer.installed("cgi-fcgi"), "cgi-fcgi is not installed (apt-get install libfcgi-bin)");
        jfpm = Jfpm.pool().maxChildren(4).line("pm.status_path = /status").start();
        docroot = ProjectFiles.phpDocroot();
    }

    @AfterAll
    static void stop() {
        if (jfpm != null) {
            jfpm.close();
        }
    }

    /** What cgi-fcgi printed and how it exited. */
    record Reply(int exit, String out) {}

    private static Reply run(Map<String, String> env, byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path body = null;
        if (stdin != null) {
            body = Files.createTempFile(jfpm.dir(), "body", ".bin");
            Files.write(body, stdin);
            pb.redirectInput(body.toFile());
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (IOException ignored) {
                // the process is gone; what was read is reported
            }
        });
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end within 30 s\n" + jfpm.logText());
            }
            reader.join(5000);
            return new Reply(p.exitValue(), out.toString(StandardCharsets.UTF_8));
        } finally {
            if (body != null) {
                Files.deleteIfExists(body);
            }
        }
    }

    private static String socket() {
        return jfpm.listenSocket().toString();
    }

    @Test
    void getAnswersWithTheCgiResponse() throws Exception {
        Reply r = run(Map.of(), null, docroot.resolve("echo.php").toString(), "a=1&b=2", socket());

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("Content-type: text/plain").contains("\r\n\r\n", "method=GET\n",
                "query=a=1&b=2\n", "get.a=1\n", "get.b=2\n");
    }

    @Test
    void uploadOnStdinArrivesWhole() throws Exception {
        byte[] file = new byte[512 * 1024];
        new Random(5).nextBytes(file);
        String boundary = "cgi-fcgi-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nonce\r\n--"
                + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        byte[] bytes = body.toByteArray();

        Reply r = run(Map.of("REQUEST_METHOD", "POST", "CONTENT_LENGTH", Integer.toString(bytes.length),
                "CONTENT_TYPE", "multipart/form-data; boundary=" + boundary), bytes,
                docroot.resolve("upload.php").toString(), "", socket());

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).as(jfpm.logText()).contains("method=POST\n", "name=once\n", "error=0\n",
                "size=" + file.length + "\n", "md5=" + Http.md5Hex(file) + "\n");
    }

    @Test
    void statusAndHeadersAreCgiHeaderLines() throws Exception {
        Reply r = run(Map.of(), null, docroot.resolve("status.php").toString(), "code=404", socket());

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("Status: 404 Not Found\r\n", "X-Jfpm-Test: yes\r\n", "X-Multi: one\r\n",
                "X-Multi: two\r\n", "Set-Cookie: first=one\r\n").endsWith("status=404\n");
    }

    @Test
    void theStatusPageOneLiner() throws Exception {
        Reply r = run(Map.of(), null, "/status", "full", socket());

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("pool:                 www\n", "process manager:      static\n", "pid:");
    }

    @Test
    void parallelRequestsAreAllAnswered() throws Exception {
        int requests = 48;
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            String id = "n" + i;
            calls.add(() -> {
                Reply r = run(Map.of(), null, docroot.resolve("echo.php").toString(), "i=" + id, socket());
                return r.exit() == 0 && r.out().contains("get.i=" + id + "\n") ? null : id + ": " + r;
            });
        }
        List<String> wrong = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            for (Future<String> f : pool.invokeAll(calls, 90, TimeUnit.SECONDS)) {
                assertThat(f.isCancelled()).as("a request did not end within 90 s\n" + jfpm.logText()).isFalse();
                if (f.get() != null) {
                    wrong.add(f.get());
                }
            }
        }
        assertThat(wrong).as(jfpm.logText()).isEmpty();
    }

    /**
     * Apache's mod_proxy_fcgi with its default {@code ProxyFCGIBackendType FPM} (the form in
     * Debian's /etc/apache2/conf-available/php8.2-fpm.conf) sends SCRIPT_FILENAME as
     * {@code proxy:fcgi://localhost/var/www/html/x.php}; php-fpm strips the prefix (fpm_main.c,
     * apache_was_here), php-cgi does not.
     */
    @Test
    void apachesProxyFcgiPrefixInScriptFilename() throws Exception {
        Path echo = docroot.resolve("echo.php");
        Reply r = run(Map.of("SCRIPT_NAME", "/echo.php"), null, "proxy:fcgi://localhost" + echo, "x=1", socket());

        assertThat(r.out()).doesNotContain("Status: 404").contains("get.x=1\n");
    }
}
