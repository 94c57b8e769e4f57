package org.jfpm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.testing.FcgiClient;
import org.jfpm.testing.FcgiClient.Record;
import org.jfpm.testing.FcgiClient.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real php-cgi started by {@link WorkerProcess#start}, driven over the
 * master's kept connection by the project's FastCGI client. These tests pin
 * what the master relies on (design.md, "What php-cgi does and does not do").
 * Skipped when no php-cgi is installed.
 *
 * <p>Workers run with {@code -n} (no php.ini) so that the host's configuration
 * cannot change the results; each test kills its worker and removes its
 * directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerProcessTest {

    private PhpCgi php;
    private Path dir;
    private final List<ProcessHandle> started = new ArrayList<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Optional<PhpCgi> located = PhpCgi.locate().filter(p -> Files.isExecutable(p.binary()));
        assumeTrue(located.isPresent(), "php-cgi not found ($JFPM_PHP_CGI, php-cgi or php-cgi8.2 on the PATH):"
                + " worker tests need a real php-cgi");
        php = located.get();
        // short path: a unix socket path must fit in sun_path (108 bytes)
        dir = Files.createTempDirectory(Path.of("/tmp"), "jfpm-worker");
        write("query.php", "<?php echo $_SERVER['QUERY_STRING'];");
        write("md5.php", "<?php echo md5(file_get_contents('php://input'));");
        write("ini.php", "<?php echo ini_get($_GET['name']);");
        write("big-output.php", "<?php echo str_repeat('x', 200000);");
        write("pid.php", "<?php echo getmypid();");
        write("ignore-body.php", "<?php echo 'ignored ', $_SERVER['CONTENT_LENGTH'];");
        write("status.php", "<?php http_response_code(404); header('X-Test: a'); header('X-Test: b', false);"
                + " error_log('to stderr'); echo 'missing';");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : clients) {
            c.close();
        }
        for (ProcessHandle p : started) {
            p.destroyForcibly();
            p.onExit().get(10, TimeUnit.SECONDS);
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void write(String name, String php) throws IOException {
        Files.writeString(dir.resolve(name), php);
    }

    private WorkerSpec spec(List<String> defines, SequencedMap<String, String> phpValues,
                            SequencedMap<String, String> adminValues) {
        return WorkerSpec.forPool("www", php).phpIni(null, true).defines(defines).values(phpValues, adminValues)
                .environment(new LinkedHashMap<>(), true).runtimeDir(dir).build();
    }

    private WorkerSpec spec() {
        return spec(List.of(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    private WorkerProcess start(WorkerSpec spec) throws Exception {
        WorkerProcess w = WorkerProcess.spawn(spec, dir.resolve("www-0.sock")).connect();
        started.add(ProcessHandle.of(w.pid()).orElseThrow());
        return w;
    }

    /** A client over the worker's kept connection, the one the master uses. */
    private FcgiClient master(WorkerProcess w) {
        FcgiClient c = FcgiClient.over(w.channel());
        clients.add(c);
        return c;
    }

    private FcgiClient connect(Path socket) throws IOException {
        FcgiClient c = FcgiClient.connect(socket);
        clients.add(c);
        return c;
    }

    private Map<String, String> params(String script, String query) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("GATEWAY_INTERFACE", "CGI/1.1");
        p.put("SCRIPT_FILENAME", dir.resolve(script).toString());
        p.put("SCRIPT_NAME", "/" + script);
        p.put("REQUEST_METHOD", "GET");
        p.put("QUERY_STRING", query);
        p.put("SERVER_PROTOCOL", "HTTP/1.1");
        return p;
    }

    private Map<String, String> post(String script, int length) {
        Map<String, String> p = params(script, "");
        p.put("REQUEST_METHOD", "POST");
        p.put("CONTENT_TYPE", "application/octet-stream");
        p.put("CONTENT_LENGTH", Integer.toString(length));
        return p;
    }

    private static final byte[] NO_BODY = new byte[0];

    private static byte[] randomBody(int size) {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        return body;
    }

    private static String md5(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    // ------------------------------------------------------------ requests

    @Test
    void echoesTheQueryString() throws Exception {
        WorkerProcess w = start(spec());
        Response r = master(w).request(params("query.php", "a=1&b=%C3%A9"), NO_BODY);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("a=1&b=%C3%A9");
        assertThat(r.header("Content-type")).startsWith("text/html");
        assertThat(r.appStatus()).isZero();
        assertThat(r.protocolStatus()).isEqualTo(Fcgi.REQUEST_COMPLETE);
    }

    @Test
    void setprivExecsPhpCgiSoTheWorkerPidIsPhpCgis() throws Exception {
        // the master signals and accounts for process().pid(): it must be php-cgi itself, not a wrapper
        WorkerProcess w = start(spec());
        Response r = master(w).request(params("pid.php", ""), NO_BODY);
        assertThat(r.bodyText()).isEqualTo(Long.toString(w.pid()));
    }

    @Test
    void statusHeadersAndStderr() throws Exception {
        WorkerProcess w = start(spec());
        Response r = master(w).request(params("status.php", ""), NO_BODY);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Status")).isEqualTo("404 Not Found");
        assertThat(r.headers().get("x-test")).containsExactly("a", "b");
        assertThat(r.bodyText()).isEqualTo("missing");
        // with no error_log set, php-cgi sends error_log() output as FCGI_STDERR (fcgi.logging=1)
        assertThat(r.stderr()).contains("to stderr");
    }

    @Test
    void postBodyArrivesWhole() throws Exception {
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        byte[] body = randomBody(300_000); // five STDIN records of 65535 and a short one
        Response r = c.request(post("md5.php", body.length), body);
        assertThat(r.bodyText()).isEqualTo(md5(body));

        byte[] small = randomBody(10_000);
        r = c.stdinChunk(999).request(post("md5.php", small.length), small); // odd-sized records, odd padding
        assertThat(r.bodyText()).isEqualTo(md5(small));
    }

    @Test
    void commandLineDefinesThenPoolValuesThenAdminValuesLastWins() throws Exception {
        SequencedMap<String, String> values = new LinkedHashMap<>();
        values.put("memory_limit", "96M");
        values.put("precision", "11");
        SequencedMap<String, String> admin = new LinkedHashMap<>();
        admin.put("memory_limit", "128M");
        WorkerProcess w = start(spec(List.of("memory_limit=64M", "precision=10", "default_charset=koi8-r"),
                values, admin));
        FcgiClient c = master(w);
        assertThat(c.request(params("ini.php", "name=default_charset"), NO_BODY).bodyText())
                .as("a -d of the command line alone").isEqualTo("koi8-r");
        assertThat(c.request(params("ini.php", "name=precision"), NO_BODY).bodyText())
                .as("php_value over the command line").isEqualTo("11");
        assertThat(c.request(params("ini.php", "name=memory_limit"), NO_BODY).bodyText())
                .as("php_admin_value over both").isEqualTo("128M");
    }

    @Test
    void phpValueWithSemicolonArrivesWhole() throws Exception {
        // php-fpm applies php_value[user_agent] = "ab;cd" with zend_alter_ini_entry, as ab;cd.
        // php-cgi quotes a -d value itself only when it does not start with a letter or digit
        // (cgi_main.c, case 'd'); otherwise it parses the value as php.ini text
        WorkerProcess w = start(spec(List.of(), new LinkedHashMap<>(java.util.Map.of("user_agent", "ab;cd")),
                new LinkedHashMap<>()));
        assertThat(master(w).request(params("ini.php", "name=user_agent"), NO_BODY).bodyText()).isEqualTo("ab;cd");
    }

    // ------------------------------------------------------------ the kept connection

    @Test
    void moreThan500RequestsOnOneKeptConnection() throws Exception {
        // php-cgi exits after PHP_FCGI_MAX_REQUESTS (default 500) requests; WorkerCommand sets 0,
        // which php-cgi reads as "no limit" (cgi_main.c: max_requests <= 0 never counts down)
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        long began = System.nanoTime();
        for (int i = 0; i < 600; i++) {
            Response r = c.request(params("query.php", "n=" + i), NO_BODY);
            assertThat(r.bodyText()).as("request %d", i).isEqualTo("n=" + i);
        }
        assertThat(w.onExit().isDone()).isFalse();
        assertThat(c.request(params("pid.php", ""), NO_BODY).bodyText()).isEqualTo(Long.toString(w.pid()));
        System.out.printf("600 requests on one kept connection to php-cgi: %d ms%n",
                (System.nanoTime() - began) / 1_000_000);
    }

    @Test
    void maxRequestsOtherThanZeroMakesPhpCgiExit() throws Exception {
        // the contrast that shows why WorkerCommand sets 0: with 3, php-cgi serves 3 requests and exits
        WorkerCommand.Built built = WorkerCommand.build(spec(), dir.resolve("three.sock"), Map.of());
        ProcessBuilder pb = new ProcessBuilder(built.command());
        pb.environment().clear();
        pb.environment().putAll(built.environment());
        pb.environment().put("PHP_FCGI_MAX_REQUESTS", "3");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
        Process p = pb.start();
        started.add(p.toHandle());
        FcgiClient c = connectWhenListening(p, dir.resolve("three.sock"));
        for (int i = 0; i < 3; i++) {
            assertThat(c.request(params("query.php", "n=" + i), NO_BODY).bodyText()).isEqualTo("n=" + i);
        }
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("php-cgi exits after its third request").isTrue();
        // the master sees a reset rather than EOF: php-cgi reads a GET's closing empty STDIN record
        // only when the next request begins, so it exits with those 8 bytes unread and the kernel
        // reports ECONNRESET (seen with Debian's php-cgi 8.2); EOF is accepted too
        try {
            assertThat(c.readRecord()).as("the kept connection is gone").isNull();
        } catch (java.net.SocketException e) {
            assertThat(e.getMessage()).contains("reset");
        }
    }

    private FcgiClient connectWhenListening(Process p, Path socket) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (Files.exists(socket)) {
                try {
                    return connect(socket);
                } catch (IOException notYet) {
                    // bound but not listening yet
                }
            }
            assertThat(p.isAlive()).as("php-cgi running").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("php-cgi did not listen on " + socket);
    }

    @Test
    void idleKeptConnectionStillWorksAfterSixSeconds() throws Exception {
        // php-cgi has no idle timeout of its own on a kept connection (checked past 5 s, a common default)
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        assertThat(c.request(params("query.php", "before"), NO_BODY).bodyText()).isEqualTo("before");
        assertThat(c.readable(Duration.ofSeconds(6))).as("nothing (no close) arrives while idle").isFalse();
        assertThat(c.request(params("query.php", "after"), NO_BODY).bodyText()).isEqualTo("after");
        assertThat(w.onExit().isDone()).isFalse();
    }

    @Test
    void unreadPostBodyIsConsumedBeforeTheNextRequest() throws Exception {
        // the script never reads php://input; the next request on the kept connection must not see
        // the rest of the body as records (php's SAPI drains unread input at request shutdown)
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        byte[] body = randomBody(4 << 20); // far more than a unix socket buffer holds
        Response r = c.request(post("ignore-body.php", body.length), body);
        assertThat(r.bodyText()).isEqualTo("ignored " + body.length);
        assertThat(c.request(params("query.php", "next"), NO_BODY).bodyText()).isEqualTo("next");
    }

    @Test
    void withPostReadingOffOutputComesBackWhileTheBodyIsStillBeingSent() throws Exception {
        // enable_post_data_reading=0: php-cgi runs the script as soon as PARAMS end. Output beyond
        // php-cgi's 8 KiB record buffer comes back as STDOUT while the client is still sending STDIN;
        // END_REQUEST waits until the SAPI has drained the rest of the body. A master that wrote the
        // whole body before reading anything could deadlock here once both socket buffers fill.
        WorkerProcess w = start(spec(List.of("enable_post_data_reading=0"), new LinkedHashMap<>(),
                new LinkedHashMap<>()));
        FcgiClient c = master(w);
        byte[] body = randomBody(100_000);
        byte[] whole = c.requestBytes(post("big-output.php", body.length), body);
        int half = whole.length / 2;
        c.send(java.util.Arrays.copyOf(whole, half));
        int early = 0;
        while (c.readable(Duration.ofMillis(500))) {
            Record rec = c.readRecord();
            assertThat(rec.type()).as("before the body ends: %s", rec).isEqualTo(Fcgi.STDOUT);
            early += rec.content().length;
        }
        assertThat(early).as("STDOUT bytes before the rest of the body").isGreaterThan(8192);
        c.send(java.util.Arrays.copyOfRange(whole, half, whole.length));
        int late = 0;
        Record rec;
        while ((rec = c.readRecord()).type() == Fcgi.STDOUT) {
            late += rec.content().length;
        }
        assertThat(rec.type()).isEqualTo(Fcgi.END_REQUEST);
        assertThat(rec.content()[4]).as("protocolStatus").isEqualTo((byte) Fcgi.REQUEST_COMPLETE);
        assertThat(early + late).as("all of the script's output, with its headers").isGreaterThan(200_000);
        assertThat(c.request(params("query.php", "next"), NO_BODY).bodyText()).isEqualTo("next");
    }

    @Test
    void withPostReadingOffSmallOutputWaitsForTheWholeBody() throws Exception {
        // below 8 KiB php-cgi holds the output until the request ends, which is after the body
        WorkerProcess w = start(spec(List.of("enable_post_data_reading=0"), new LinkedHashMap<>(),
                new LinkedHashMap<>()));
        FcgiClient c = master(w);
        byte[] body = randomBody(100_000);
        byte[] whole = c.requestBytes(post("ignore-body.php", body.length), body);
        int half = whole.length / 2;
        c.send(java.util.Arrays.copyOf(whole, half));
        assertThat(c.readable(Duration.ofSeconds(1))).isFalse();
        c.send(java.util.Arrays.copyOfRange(whole, half, whole.length));
        assertThat(c.readResponse().bodyText()).isEqualTo("ignored " + body.length);
    }

    @Test
    void withDefaultPostReadingNothingComesBackBeforeTheWholeBody() throws Exception {
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        byte[] body = randomBody(100_000);
        byte[] whole = c.requestBytes(post("ignore-body.php", body.length), body);
        int half = whole.length / 2;
        c.send(java.util.Arrays.copyOf(whole, half));
        assertThat(c.readable(Duration.ofSeconds(1))).as("php-cgi reads the whole body before the script").isFalse();
        c.send(java.util.Arrays.copyOfRange(whole, half, whole.length));
        assertThat(c.readResponse().bodyText()).isEqualTo("ignored " + body.length);
    }

    @Test
    void secondConnectionIsServedOnlyAfterTheFirstCloses() throws Exception {
        // PHP_FCGI_CHILDREN=0: one process, one connection at a time. A second connect succeeds
        // (the kernel backlog) but is not served while the master's kept connection is open.
        WorkerProcess w = start(spec());
        FcgiClient first = master(w);
        assertThat(first.request(params("query.php", "first"), NO_BODY).bodyText()).isEqualTo("first");
        FcgiClient second = connect(dir.resolve("www-0.sock"));
        second.send(second.requestBytes(params("query.php", "second"), NO_BODY));
        assertThat(second.readable(Duration.ofSeconds(1))).as("not served while the first is open").isFalse();
        first.close();
        Response r = second.readResponse();
        assertThat(r.bodyText()).isEqualTo("second");
        assertThat(second.request(params("pid.php", ""), NO_BODY).bodyText()).isEqualTo(Long.toString(w.pid()));
    }

    @Test
    void withoutKeepConnPhpCgiWaitsForTheClientToCloseBeforeTheNextConnection() throws Exception {
        // without FCGI_KEEP_CONN php-cgi shuts down its side after END_REQUEST, then reads until
        // the client closes (fcgi_close in main/fastcgi.c: shutdown, then recv until 0). A client
        // that keeps its end open blocks the single-process worker for everyone else.
        WorkerProcess w = start(spec());
        FcgiClient c = master(w).keepConn(false);
        assertThat(c.request(params("query.php", "once"), NO_BODY).bodyText()).isEqualTo("once");
        assertThat(c.readRecord()).as("EOF after END_REQUEST").isNull();
        FcgiClient next = connect(dir.resolve("www-0.sock"));
        next.send(next.requestBytes(params("query.php", "again"), NO_BODY));
        assertThat(next.readable(Duration.ofSeconds(1))).as("not served while the first is still open").isFalse();
        c.close();
        assertThat(next.readResponse().bodyText()).isEqualTo("again");
    }

    @Test
    void requestIdIsEchoed() throws Exception {
        WorkerProcess w = start(spec());
        FcgiClient c = master(w).requestId(0xFFFF);
        assertThat(c.request(params("query.php", "id"), NO_BODY).bodyText()).isEqualTo("id");
    }

    @Test
    void getValuesIsAnsweredOnTheKeptConnection() throws Exception {
        WorkerProcess w = start(spec());
        FcgiClient c = master(w);
        c.send(FcgiClient.getValues(Fcgi.MAX_CONNS, Fcgi.MAX_REQS, Fcgi.MPXS_CONNS));
        Record r = c.readRecord();
        assertThat(r.type()).isEqualTo(Fcgi.GET_VALUES_RESULT);
        assertThat(r.requestId()).isEqualTo(Fcgi.NULL_REQUEST_ID);
        // php-cgi answers with PHP_FCGI_CHILDREN for both limits, so 0 here: a master must not relay
        // a worker's answer to the web server as its own
        assertThat(r.pairs()).containsExactlyInAnyOrderEntriesOf(Map.of(
                Fcgi.MAX_CONNS, "0", Fcgi.MAX_REQS, "0", Fcgi.MPXS_CONNS, "0"));
        assertThat(c.request(params("query.php", "after"), NO_BODY).bodyText()).isEqualTo("after");
    }

    // ------------------------------------------------------------ start-up

    @Test
    void startFailsNamingTheSocketWhenPhpCgiCannotListen() {
        // php-cgi prints why on its stderr; even with catch_workers_output off the master keeps
        // its last lines so the start failure says it
        Path socket = dir.resolve("missing-dir").resolve("www-0.sock");
        assertThatThrownBy(() -> WorkerProcess.spawn(spec(), socket).connect())
                .isInstanceOf(WorkerProcess.StartException.class)
                .hasMessageStartingWith("php-cgi exited with code 255 before listening on " + socket + ": \"")
                .hasMessageContaining("Couldn't create FastCGI listen socket");
    }
}
