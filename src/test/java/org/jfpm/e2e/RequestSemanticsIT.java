package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Listening;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What php-cgi lacks and jfpm's prelude and master add (docs/differences.md): the pool's own
 * auto_prepend_file behind the prelude, fastcgi_finish_request(), PHP_VALUE and
 * PHP_ADMIN_VALUE per request, security.limit_extensions and missing scripts answered as
 * php-fpm answers them (checked against php-fpm8.2 itself), listen.allowed_clients, and the
 * -t notice for php_admin_value.
 */
@Timeout(60)
class RequestSemanticsIT {

    static final Path DOCROOT = ProjectFiles.phpDocroot();

    static Map<String, String> get(String script, String query) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("REQUEST_METHOD", "GET");
        p.put("SCRIPT_FILENAME", DOCROOT + "/" + script);
        p.put("SCRIPT_NAME", "/" + script);
        p.put("QUERY_STRING", query);
        p.put("REQUEST_URI", "/" + script + (query.isEmpty() ? "" : "?" + query));
        return p;
    }

    @Test
    void thePoolsOwnAutoPrependFileStillRuns() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1)
                .line("php_value[auto_prepend_file] = " + DOCROOT.resolve("prepend.inc")).start();
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            FcgiClient.Response r = client.request(get("ini.php", "names=precision"), new byte[0]);
            assertThat(r.bodyText()).as(jfpm.logText()).contains("prepended=yes\n");
        }
    }

    @Test
    void finishRequestEndsTheResponseWhileTheScriptGoesOn() throws Exception {
        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(2)
                .line("access.log = " + dir + "/access.log")
                .line("access.format = \"%r %s %{milli}d\"").render(dir));
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            Path proof = jfpm.dir().resolve("finished.txt");
            long t0 = System.nanoTime();
            FcgiClient.Response r = client.request(get("finish.php", "s=4&file=" + proof), new byte[0]);
            assertThat(r.bodyText()).as(jfpm.logText()).isEqualTo("answered\n");
            assertThat(proof).as("the client has its whole answer while the script still runs").doesNotExist();

            // the next request on the same kept connection is not held up by the finishing script
            FcgiClient.Response next = client.request(get("echo.php", "n=1"), new byte[0]);
            assertThat(next.bodyText()).contains("get.n=1\n");
            assertThat(proof).as("answered while the first script still runs").doesNotExist();

            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!(Files.exists(proof) && Files.readString(proof).equals("true,false"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long ranMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(proof).as(jfpm.logText()).hasContent("true,false");
            assertThat(ranMillis).isGreaterThanOrEqualTo(3900);

            // the access line is written at the real end, with the whole duration (as php-fpm)
            Path log = jfpm.dir().resolve("access.log");
            String line = awaitLine(log, "/finish.php");
            double millis = Double.parseDouble(line.substring(line.lastIndexOf(" ") + 1));
            assertThat(millis).as(line).isGreaterThanOrEqualTo(3900);
            assertThat(line).contains(" 200 ");
        }
    }

    /**
     * WordPress's wp-cron.php calls fastcgi_finish_request() before any output: php-fpm sends
     * the status and headers set so far with an empty body (nginx answered 502 "upstream
     * prematurely closed FastCGI stdout" when jfpm sent none). Checked through nginx, with
     * the same expectations as php-fpm8.2 itself meets.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 201, 404, 599})
    void finishRequestBeforeAnyOutputSendsTheHeadersSetSoFar(int code) throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            Path proof = jfpm.dir().resolve("cron-" + code + ".txt");
            HttpResponse<byte[]> r = http.get("/finish-first.php?file=" + proof + (code == 0 ? "" : "&code=" + code));
            assertThat(r.statusCode()).as(jfpm.logText() + nginx.errorLog()).isEqualTo(code == 0 ? 200 : code);
            assertThat(r.headers().firstValue("X-Finish")).hasValue("first");
            assertThat(r.headers().firstValue("Set-Cookie")).hasValue("cron=ran");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=UTF-8");
            assertThat(r.body()).isEmpty();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(proof) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(proof).as("the script went on after the answer").exists();
        }
    }

    /**
     * php-fpm reads the php.ini that PHPRC names and the scan directories of
     * PHP_INI_SCAN_DIR from the environment it was started with (main/php_ini.c); an
     * empty segment of PHP_INI_SCAN_DIR stands for the compiled-in conf.d.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", ":"})
    void workersReadThePhpIniOfPhprcAndTheScanDirsOfPhpIniScanDir(String prefix) throws Exception {
        try (Jfpm jfpm = Jfpm.start(dir -> {
            try {
                Path rc = Files.createDirectories(dir.resolve("rc"));
                Files.writeString(rc.resolve("php.ini"), "precision = 7\n");
                Path scan = Files.createDirectories(dir.resolve("scan"));
                Files.writeString(scan.resolve("zz-site.ini"), "memory_limit = 77M\n");
                for (Path p : List.of(dir, rc, scan, rc.resolve("php.ini"), scan.resolve("zz-site.ini"))) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Jfpm.pool().maxChildren(1).render(dir);
        }, dir -> Map.of("PHPRC", dir.resolve("rc").toString(), "PHP_INI_SCAN_DIR", prefix + dir.resolve("scan")));
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            String body = client.request(get("ini.php", "names=precision,memory_limit"), new byte[0]).bodyText();
            assertThat(body).as(jfpm.logText()).contains("precision='7'\n", "memory_limit='77M'\n");
        }
    }

    static String awaitLine(Path file, String containing) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (line.contains(containing)) {
                        return line;
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line with '" + containing + "' in " + file);
    }

    @Test
    void phpValueAppliesToItsRequestOnly() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).start();
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            String names = "names=precision,memory_limit,max_execution_time";
            Map<String, String> params = get("ini.php", names);
            params.put("PHP_VALUE", "precision=5\nmemory_limit=97M");
            params.put("PHP_ADMIN_VALUE", "max_execution_time=77");
            FcgiClient.Response with = client.request(params, new byte[0]);
            assertThat(with.bodyText()).as(jfpm.logText())
                    .contains("precision='5'\n", "memory_limit='97M'\n", "max_execution_time='77'\n");
            // the one worker serves the next ten: none of them sees those values
            for (int i = 0; i < 10; i++) {
                String body = client.request(get("ini.php", names), new byte[0]).bodyText();
                assertThat(body).as("request %d after", i).doesNotContain("'5'", "'97M'", "'77'");
            }
        }
    }

    @Test
    void settingsReadBeforeTheScriptAreReportedAsUnsettable() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).start();
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            Map<String, String> params = get("ini.php", "names=post_max_size");
            params.put("PHP_VALUE", "post_max_size=1K");
            FcgiClient.Response r = client.request(params, new byte[0]);
            assertThat(r.stderr()).contains("Passing INI directive through FastCGI: unable to set 'post_max_size'");
            assertThat(r.bodyText()).doesNotContain("'1K'");
        }
    }

    /** Exact bytes, the same from php-fpm8.2 and from jfpm (whose master answers them). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"php-fpm", "jfpm"})
    void missingScriptsAndForbiddenExtensionsAsPhpFpm(String backend) throws Exception {
        try (Jfpm jfpm = ObservabilityIT.asBackend(backend.equals("php-fpm"), () -> Jfpm.pool().maxChildren(1).start());
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            String notFound = "Status: 404 Not Found\r\nContent-type: text/html; charset=UTF-8\r\n\r\nFile not found.\n";
            String denied = "Status: 403 Forbidden\r\nContent-type: text/html; charset=UTF-8\r\n\r\nAccess denied.\n";
            for (String script : new String[] {"nope.php", "sub/../echo.php", "nope/echo.php"}) {
                FcgiClient.Response r = client.request(get(script, ""), new byte[0]);
                assertThat(new String(r.stdout(), StandardCharsets.ISO_8859_1)).as(script).isEqualTo(notFound);
                assertThat(r.stderr()).as(script).isEqualTo("Primary script unknown");
            }
            Map<String, String> none = get("echo.php", "");
            none.remove("SCRIPT_FILENAME");
            assertThat(client.request(none, new byte[0]).status()).isEqualTo(404);

            FcgiClient.Response txt = client.request(get("notes.txt", ""), new byte[0]);
            assertThat(new String(txt.stdout(), StandardCharsets.ISO_8859_1)).isEqualTo(denied);
            assertThat(txt.stderr()).isEqualTo("Access to the script '" + DOCROOT.resolve("notes.txt")
                    + "' has been denied (see security.limit_extensions)");
            FcgiClient.Response upper = client.request(get("notes.txt/x.PHP", ""), new byte[0]);
            assertThat(upper.status()).isEqualTo(403);

            // PATH_INFO: the path is cut back to the script
            FcgiClient.Response info = client.request(get("echo.php/extra/path", "a=1"), new byte[0]);
            assertThat(info.status()).isEqualTo(200);
            assertThat(info.bodyText()).contains("get.a=1\n");
            if (backend.equals("jfpm")) {
                jfpm.awaitLog("NOTICE: \\[pool www\\] Access to the script '.*notes.txt' has been denied "
                        + "\\(see security.limit_extensions\\)", Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void anEmptyLimitExtensionsListDisablesTheCheck() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("security.limit_extensions = \"\"").start();
             FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            FcgiClient.Response r = client.request(get("notes.txt", ""), new byte[0]);
            assertThat(r.status()).as(jfpm.logText()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("text, not a script\n");
        }
    }

    @Test
    void allowedClientsAdmitsTheListedAddressesOnly() throws Exception {
        int refusing = Listening.free();
        int admitting = Listening.free();
        int nobody = Listening.free();
        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(1).render(dir) + """
                [refusing]
                listen = 127.0.0.1:%d
                listen.allowed_clients = 127.0.0.2, 127.0.0.3,bogus
                pm = static
                pm.max_children = 1
                [admitting]
                listen = 127.0.0.1:%d
                listen.allowed_clients = 10.1.1.1,127.0.0.1,::1
                pm = static
                pm.max_children = 1
                [nobody]
                listen = 127.0.0.1:%d
                listen.allowed_clients = localhost
                pm = static
                pm.max_children = 1
                """.formatted(refusing, admitting, nobody))) {
            jfpm.awaitLog("ERROR: \\[pool refusing\\] Wrong IP address ' 127.0.0.3' in listen.allowed_clients",
                    Duration.ofSeconds(1));
            jfpm.awaitLog("ERROR: \\[pool refusing\\] Wrong IP address 'bogus' in listen.allowed_clients",
                    Duration.ofSeconds(1));
            jfpm.awaitLog("ERROR: \\[pool nobody\\] There are no allowed addresses", Duration.ofSeconds(1));

            try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", refusing))) {
                ByteBuffer buf = ByteBuffer.allocate(64);
                int n;
                try {
                    n = ch.read(buf);
                } catch (IOException reset) {
                    n = -1;
                }
                assertThat(n).as("bytes from a refusing pool").isEqualTo(-1);
            }
            jfpm.awaitLog("ERROR: \\[pool refusing\\] Connection disallowed: IP address '127.0.0.1' has been dropped\\.",
                    Duration.ofSeconds(5));

            try (FcgiClient client = FcgiClient.connect("127.0.0.1", admitting)) {
                assertThat(client.request(get("echo.php", "ok=1"), new byte[0]).bodyText()).contains("get.ok=1\n");
            }
        }
    }

    /** Locked by default (AdminValuesIT); where the lock cannot hold, the start says why. */
    @Test
    void aStartSaysWhenAdminValuesCannotBeLocked() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm always locks them");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("php_admin_value[precision] = 7")
                .line("php_admin_value[ffi.enable] = 0").start()) {
            jfpm.awaitLog(java.util.regex.Pattern.quote("NOTICE: [pool www] php_admin_value and php_admin_flag are "
                    + "applied at worker start but not locked against ini_set(): ffi.enable is off"), Duration.ofSeconds(5));
            Jfpm.Run run = Jfpm.run(Duration.ofSeconds(30), "-t", "-R", "-y", jfpm.confFile().toString());
            assertThat(run.exitCode()).as(run.toString()).isZero();
            assertThat(run.stderr()).doesNotContain("php_admin_value");
        }
    }
}
