package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.ProjectFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/ as examples/demo.sh runs it: examples/php-fpm.conf (with ${JFPM_DEMO_RUN},
 * php_value, php_admin_value, clear_env and env[]) in front of examples/public.
 */
class DemoSiteIT {

    static Jfpm jfpm;
    static Nginx nginx;
    static Http http;

    @BeforeAll
    static void start() {
        assumeTrue(Backends.hasMaster(), "needs jfpm or php-fpm, not bare php-cgi");
        Path examples = ProjectFiles.root().resolve("examples");
        jfpm = Jfpm.start(dir -> {
            try {
                Files.createDirectories(dir.resolve("sessions"));
                Files.createDirectories(dir.resolve("uploads"));
                return Files.readString(examples.resolve("php-fpm.conf"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, dir -> Map.of("JFPM_DEMO_RUN", dir.toString()));
        nginx = Nginx.passingTo("unix:" + jfpm.dir().resolve("demo.sock"))
                .docroot(examples.resolve("public"))
                .keepalive(16)
                .start();
        http = new Http(nginx.baseUrl());
    }

    @AfterAll
    static void stop() {
        try {
            if (http != null) {
                http.close();
            }
            if (nginx != null) {
                nginx.close();
            }
        } finally {
            if (jfpm != null) {
                jfpm.close();
            }
        }
    }

    private String logs() {
        return jfpm.logText() + "\n--- nginx error.log\n" + nginx.errorLog();
    }

    @Test
    void indexShowsThePoolSettings() {
        HttpResponse<byte[]> r = http.get("/index.php");

        assertThat(r.statusCode()).as(logs()).isEqualTo(200);
        String page = Http.text(r);
        assertThat(page).contains("<h1>jfpm demo</h1>",
                "<th>upload_max_filesize</th><td>16M</td>",
                "<th>session.save_path</th><td>" + jfpm.dir().resolve("sessions") + "</td>",
                "<th>env JFPM_DEMO</th><td>demo</td>",
                "href=\"form.php\"", "href=\"session.php\"");
    }

    @Test
    void formReceivesFieldsAndAnUpload() {
        byte[] file = new byte[300_000];
        new Random(3).nextBytes(file);
        String boundary = "----jfpm-e2e-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAnn & Bob\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"data.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));

        HttpResponse<byte[]> r = http.post("/form.php", body.toByteArray(), "multipart/form-data; boundary=" + boundary);

        assertThat(r.statusCode()).as(logs()).isEqualTo(200);
        assertThat(Http.text(r)).contains(
                "<p id=\"name\">name: Ann &amp; Bob</p>",
                "<p id=\"file\">file: data.bin, size 300000 bytes,\nmd5 " + Http.md5Hex(file) + "</p>");
    }

    @Test
    void sessionCounterCountsAcrossWorkers() {
        HttpResponse<byte[]> first = http.get("/session.php");
        assertThat(first.statusCode()).as(logs()).isEqualTo(200);
        assertThat(Http.text(first)).contains("seen this page 1 time in this session");
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        assertThat(cookie).startsWith("PHPSESSID=");

        for (int i = 2; i <= 6; i++) {
            HttpResponse<byte[]> r = http.send(http.request("/session.php").header("Cookie", cookie).GET().build());
            assertThat(Http.text(r)).as(logs()).contains("seen this page " + i + " times in this session");
        }
        assertThat(jfpm.dir().resolve("sessions")).isNotEmptyDirectory();
    }
}
