package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.SlowPhpCgi;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees, through real nginx: the status page in every format
 * compared with php-fpm8.2's own answer to the same request sequence, the
 * status of a pool whose workers are all busy (over pm.status_listen), the
 * access log, a request killed by request_terminate_timeout and a slowlog
 * entry.
 */
class ObservabilityIT {

    /** nginx passes /status and /ping to the pool as it does .php files (SCRIPT_NAME = the path). */
    static final String STATUS_LOCATIONS = """
            location ~ ^/(status|ping)$ {
                include /etc/nginx/fastcgi_params;
                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                fastcgi_pass php_backend;
            }
            """;

    record Stack(Jfpm backend, Nginx nginx, Http http) implements AutoCloseable {
        @Override
        public void close() {
            try {
                    nginx.close();
            } finally {
                backend.close();
            }
        }

        String logs() {
            return backend.logText() + "\n--- nginx\n" + nginx.errorLog();
        }
    }

    static Stack start(boolean reference, Jfpm.Pool pool) {
        return around(asBackend(reference, pool::start));
    }

    static Stack around(Jfpm backend) {
        try {
            Nginx nginx = Nginx.passingTo(backend.nginxAddress()).serverExtra(STATUS_LOCATIONS).start();
            return new Stack(backend, nginx, new Http(nginx.baseUrl()));
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
    }

    /** Starts jfpm, or php-fpm8.2 as the oracle, whatever e2e.backend says. */
    static Jfpm asBackend(boolean reference, Supplier<Jfpm> start) {
        String saved = System.getProperty("e2e.backend");
        System.setProperty("e2e.backend", reference ? "php-fpm" : "jfpm");
        try {
            return start.get();
        } finally {
            if (saved == null) {
                System.clearProperty("e2e.backend");
            } else {
                System.setProperty("e2e.backend", saved);
            }
        }
    }

    static Jfpm.Pool statusPool() {
        return Jfpm.pool().maxChildren(2).line("pm.status_path = /status").line("ping.path = /ping");
    }

    /**
     * Short pages only: with {@code full}, php-fpm lists the worker answering the
     * status request as Running with the status URI, where jfpm's master answers
     * and the workers show the requests they served (see docs/metrics.md).
     */
    static final List<String> QUERIES = List.of("", "json", "xml", "html", "openmetrics", "j", "x=1&o");

    /** The same requests to php-fpm8.2 and jfpm; the pages agree once times, pids and durations are masked. */
    @Test
    void everyFormatAsPhpFpm() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/sbin/php-fpm8.2")),
                "needs Debian's php8.2-fpm (the oracle): apt-get install php8.2-fpm");
        Map<String, String> reference = pages(true);
        Map<String, String> jfpm = pages(false);
        int refPolls = Integer.parseInt(reference.remove("polls"));
        int polls = Integer.parseInt(jfpm.remove("polls"));
        for (String q : reference.keySet()) {
            String own = jfpm.get(q);
            assertThat(own).as("?" + q + ": jfpm's own fields come after php-fpm's")
                    .containsPattern(JFPM_OWN + "|jfpm_max_children");
            assertThat(normalise(withoutJfpmOwn(own), polls)).as("?" + q)
                    .isEqualTo(normalise(reference.get(q), refPolls));
        }
    }

    /** The fields and families jfpm adds after php-fpm's (docs/metrics.md, "jfpm's own fields and metrics"). */
    static final String JFPM_OWN = "max[ -]children|queue[ -]oldest[ -]wait|queue[ -]timeouts|queue[ -]rejected"
            + "|recycled[ -]by[ -](requests|memory|lifetime)";

    /** The page as php-fpm writes it: jfpm's additions taken out, in every format. */
    static String withoutJfpmOwn(String page) {
        return page
                .replaceAll("(?m)^(" + JFPM_OWN + "):.*\n", "")
                .replaceAll(",\"(" + JFPM_OWN + ")\":\\d+", "")
                .replaceAll("<(" + JFPM_OWN + ")>[^<]*</[^>]*>\n?", "")
                .replaceAll("<tr><th>(" + JFPM_OWN + ")</th><td>[^<]*</td></tr>\n", "")
                .replaceAll("(?s)# HELP jfpm_.*(# EOF\n)$", "$1");
    }

    /**
     * Polls the status page until {@code workers} workers are idle in the pool (a
     * worker process may exist before its pool has it); returns the polls made,
     * each counted in accepted conn.
     */
    static int awaitIdle(Stack s, int workers) {
        for (int polls = 1; polls <= 200; polls++) {
            String page = Http.text(s.http.get("/status"));
            // nothing else is in flight: php-fpm's one active worker is the one answering
            int idle = Integer.parseInt(page.replaceAll("(?s).*idle processes: +(\\d+).*", "$1"));
            int active = Integer.parseInt(page.replaceAll("(?s).*active processes: +(\\d+).*", "$1"));
            if (idle + active == workers) {
                return polls;
            }
            Pids.sleep(Duration.ofMillis(50));
        }
        throw new AssertionError("the pool never had " + workers + " idle workers\n" + s.logs());
    }

    private Map<String, String> pages(boolean reference) {
        Map<String, String> pages = new LinkedHashMap<>();
        try (Stack s = start(reference, statusPool())) {
            int polls = awaitIdle(s, 2);
            pages.put("polls", Integer.toString(polls));
            for (int i = 0; i < 3; i++) {
                assertThat(s.http.get("/pid.php").statusCode()).as(s.logs()).isEqualTo(200);
            }
            for (String q : QUERIES) {
                HttpResponse<byte[]> r = s.http.get("/status" + (q.isEmpty() ? "" : "?" + q));
                assertThat(r.statusCode()).as(s.logs()).isEqualTo(200);
                pages.put(q, r.headers().firstValue("Content-Type").orElse("?") + "\n"
                        + r.headers().firstValue("Cache-Control").orElse("?") + "\n" + Http.text(r));
            }
        }
        return pages;
    }

    /**
     * Masks what differs by nature: times, durations, pids. Idle and active are
     * masked too: php-fpm's worker answering the status request counts itself
     * active, jfpm's master answers it without a worker (checked exactly below).
     */
    static String normalise(String page, int polls) {
        // the readiness polls are status requests too: each counted once, in every format
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(accepted[ -]conn\\D+|accepted_connections )(\\d+)").matcher(page);
        if (m.find()) {
            page = page.substring(0, m.start(2)) + (Long.parseLong(m.group(2)) - polls) + page.substring(m.end(2));
        }
        String keys = "start time|start since|idle processes|active processes|max active processes|listen queue len";
        return page
                .replaceAll("(?m)^(" + keys + "):( +).*$", "$1:$2#")
                .replaceAll("\"(" + keys + ")\":\\d+", "\"$1\":#")
                .replaceAll("<(" + keys.replace(' ', '-') + ")>[^<]*<", "<$1>#<")
                .replaceAll("<tr><th>(" + keys + ")</th><td>[^<]*</td>", "<tr><th>$1</th><td>#</td>")
                .replaceAll("(?m)^(phpfpm_(start_since|idle_processes|active_processes|max_active_processes"
                        + "|listen_queue_length)) \\d+$", "$1 #");
    }

    @Test
    void exactCountersAndARunningRequestInFull() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's own numbers");
        try (Stack s = start(false, statusPool())) {
            int polls = awaitIdle(s, 2);
            for (int i = 0; i < 5; i++) {
                s.http.get("/pid.php");
            }
            String text = Http.text(s.http.get("/status"));
            assertThat(text).as(s.logs()).contains("accepted conn:        " + (polls + 6) + "\n", "listen queue:         0\n",
                    "idle processes:       2\n", "active processes:     0\n", "total processes:      2\n",
                    "max active processes: 1\n", "slow requests:        0\n");

            CompletableFuture<HttpResponse<byte[]>> busy = CompletableFuture.supplyAsync(
                    () -> s.http.get("/sleep.php?ms=3000"));
            String running = null;
            for (int i = 0; i < 100 && running == null; i++) {
                String full = Http.text(s.http.get("/status?full"));
                if (full.contains("request URI:          /sleep.php?ms=3000")) {
                    running = full;
                }
                Pids.sleep(Duration.ofMillis(30));
            }
            assertThat(running).as("a full page showing the sleeping request\n" + s.logs()).isNotNull();
            int at = running.indexOf("/sleep.php?ms=3000");
            int next = running.indexOf("\n****", at); // the next worker's block, if this one is not the last
            String block = running.substring(running.lastIndexOf("****", at), next < 0 ? running.length() : next);
            assertThat(block).contains("state:                Running\n", "request method:       GET\n")
                    .containsPattern("script:               /\\S+/sleep\\.php\n").doesNotContain("Idle");
            assertThat(running).contains("active processes:     1\n");
            assertThat(busy.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void statusListenAnswersWhileEveryWorkerIsBusy() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's own numbers");
        Jfpm.Pool pool = Jfpm.pool().maxChildren(1).line("pm.status_path = /status").line("ping.path = /ping");
        Jfpm backend = Jfpm.start(dir -> pool.line("pm.status_listen = " + dir + "/status.sock").render(dir));
        try (Stack s = around(backend)) {
            Http http = s.http;
            awaitIdle(s, 1);
            // the worker counts as idle from its start; a request served says it listens
            assertThat(http.get("/echo.php").statusCode()).as(s.logs()).isEqualTo(200);
            List<CompletableFuture<HttpResponse<byte[]>>> busy = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                busy.add(CompletableFuture.supplyAsync(() -> http.get("/sleep.php?ms=2500")));
            }
            String page = null;
            for (int i = 0; i < 100; i++) {
                try (FcgiClient c = FcgiClient.connect(backend.dir().resolve("status.sock"))) {
                    page = c.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/status", "SCRIPT_FILENAME", "/status",
                            "QUERY_STRING", "json"), new byte[0]).bodyText();
                }
                if (page.contains("\"listen queue\":2")) {
                    break;
                }
                Pids.sleep(Duration.ofMillis(30));
            }
            assertThat(page).as(s.logs()).contains("\"listen queue\":2,", "\"idle processes\":0,",
                    "\"active processes\":1,", "\"total processes\":1,", "\"max listen queue\":2,",
                    "\"listen queue len\":");
            try (FcgiClient c = FcgiClient.connect(backend.dir().resolve("status.sock"))) {
                assertThat(c.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/ping", "SCRIPT_FILENAME",
                        "/ping"), new byte[0]).bodyText()).isEqualTo("pong");
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : busy) {
                assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
    }

    static final String FORMAT = "C=%C d=%{micro}d e=%{REQUEST_URI}e eX=%{NOPE}e f=%f l=%l m=%m M=%{kilo}M n=%n "
            + "o=%{X-Jfpm-Test}o oX=%{X-None}o p=%p P=%P q=%q Q=%Q r=%r R=%R s=%s t=%{%Y}t T=%{%Y}T u=%u pct=%%";

    @Test
    void accessLogEveryToken() throws Exception {
        assumeFalse(Jfpm.isReference(), "pids of jfpm's processes");
        Jfpm.Pool pool = statusPool().line("access.format = \"" + FORMAT + "\"")
                .line("access.suppress_path[] = /pid.php");
        Jfpm backend = Jfpm.start(dir -> pool.line("access.log = " + dir + "/access.log").render(dir));
        Path log = backend.dir().resolve("access.log");
        try (Stack s = around(backend)) {
            Http http = s.http;
            assertThat(http.get("/status.php?code=201&a=b").statusCode()).isEqualTo(201);
            assertThat(http.get("/pid.php").statusCode()).isEqualTo(200); // suppressed
            assertThat(http.get("/pid.php?x").statusCode()).isEqualTo(200); // has a query: logged
            assertThat(http.get("/ping").statusCode()).isEqualTo(200);
            List<String> lines = awaitLines(log, 3);
            assertThat(lines).as(s.logs()).hasSize(3);
            String year = String.valueOf(java.time.Year.now().getValue());
            assertThat(lines.get(0)).matches("C=\\d+\\.\\d\\d d=\\d+ e=/status\\.php\\?code=201&a=b eX=- "
                    + "f=/\\S+/status\\.php l=0 m=GET M=\\d+ n=www o=yes oX=- p=\\d+ P=" + backend.pid()
                    + " q=code=201&a=b Q=\\? r=/status\\.php R=- s=201 t=" + year + " T=" + year + " u= pct=%");
            assertThat(lines.get(1)).contains(" q=x Q=? r=/pid.php ", " s=200 ");
            assertThat(lines.get(2)).contains(" r=/ping ", " p=" + backend.pid() + " ", " s=200 ");
            assertThat(Files.getPosixFilePermissions(log)).hasToString("[OWNER_READ, OWNER_WRITE]");
        }
    }

    @Test
    void terminatedRequestAndSlowlog() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm kills with SIGKILL, php-fpm with SIGTERM");
        Jfpm.Pool pool = statusPool().line("request_terminate_timeout = 2s").line("request_slowlog_timeout = 1s");
        Jfpm backend = Jfpm.start(dir -> pool.line("slowlog = " + dir + "/slow.log")
                .line("access.log = " + dir + "/access.log").render(dir));
        try (Stack s = around(backend)) {
            Http http = s.http;
            HttpResponse<byte[]> killed = http.get("/sleep.php?ms=8000");
            assertThat(killed.statusCode()).as(s.logs()).isEqualTo(502);
            String pidPart = "\\[pool www\\] child (\\d+), script '/\\S+/sleep\\.php' \\(request: \"GET /sleep\\.php\\?ms=8000\"\\)";
            backend.awaitLog("WARNING: " + pidPart + " executing too slow \\(1\\.\\d{6} sec\\), logging$",
                    Duration.ofSeconds(5));
            String line = backend.awaitLog("WARNING: " + pidPart
                    + " execution timed out \\(2\\.\\d{6} sec\\), terminating$", Duration.ofSeconds(5));
            String pid = line.replaceAll(".*child (\\d+),.*", "$1");
            backend.awaitLog("child " + pid + " exited on signal 9 \\(SIGKILL\\)", Duration.ofSeconds(5));
            assertThat(http.get("/pid.php").statusCode()).isEqualTo(200);
            String slow = Files.readString(backend.dir().resolve("slow.log"));
            assertThat(slow).matches("(?s)\n\\[\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d\\]  \\[pool www\\] pid " + pid
                    + "\nscript_filename = (/\\S+/sleep\\.php)\n\\[0x[0-9a-f]{16}\\] usleep\\(\\) \\1:7\n");
            assertThat(Http.text(http.get("/status"))).contains("slow requests:        1\n");
            List<String> access = awaitLines(backend.dir().resolve("access.log"), 2);
            assertThat(access).as("no line for the killed request").hasSize(2)
                    .noneMatch(l -> l.contains("sleep.php"));
        }
    }

    @Test
    void slowlogBacktrace() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm only (fpm_php_trace.c's format, checked against php-fpm8.2)");
        Jfpm.Pool pool = statusPool().line("request_slowlog_timeout = 1s").line("request_slowlog_trace_depth = 20");
        Jfpm backend = Jfpm.start(dir -> pool.line("slowlog = " + dir + "/slow.log").render(dir));
        try (Stack s = around(backend)) {
            HttpResponse<byte[]> r = s.http.get("/nested.php?s=3");
            assertThat(r.statusCode()).as(s.logs()).isEqualTo(200);
            String line = backend.awaitLog("WARNING: \\[pool www\\] child (\\d+), script '/\\S+/nested\\.php' "
                    + "\\(request: \"GET /nested\\.php\\?s=3\"\\) executing too slow \\(1\\.\\d{6} sec\\), logging$",
                    Duration.ofSeconds(5));
            String pid = line.replaceAll(".*child (\\d+),.*", "$1");
            String slow = Files.readString(backend.dir().resolve("slow.log"));
            // php-fpm's format: the frame address, the function, the file:line of the calling user frame
            assertThat(slow).as(s.logs()).matches("\n\\[\\d\\d-\\w{3}-\\d{4} \\d\\d:\\d\\d:\\d\\d\\]  \\[pool www\\] pid " + pid
                    + "\nscript_filename = (/\\S+/nested\\.php)\n"
                    + "\\[0x[0-9a-f]{16}\\] sleep\\(\\) \\1:2\n"
                    + "\\[0x[0-9a-f]{16}\\] inner\\(\\) \\1:3\n"
                    + "\\[0x[0-9a-f]{16}\\] outer\\(\\) \\1:4\n");
            assertThat(Http.text(s.http.get("/status"))).contains("slow requests:        1\n");
        }
    }

    @Test
    void slowlogTraceDepth() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm only (fpm_php_trace.c's format, checked against php-fpm8.2)");
        Jfpm.Pool pool = statusPool().line("request_slowlog_timeout = 1s").line("request_slowlog_trace_depth = 2");
        Jfpm backend = Jfpm.start(dir -> pool.line("slowlog = " + dir + "/slow.log").render(dir));
        try (Stack s = around(backend)) {
            assertThat(s.http.get("/nested.php?s=2").statusCode()).as(s.logs()).isEqualTo(200);
            String slow = Files.readString(backend.dir().resolve("slow.log"));
            assertThat(slow).as(s.logs()).matches("(?s).*\nscript_filename = (/\\S+/nested\\.php)\n"
                    + "\\[0x[0-9a-f]{16}\\] sleep\\(\\) \\1:2\n"
                    + "\\[0x[0-9a-f]{16}\\] inner\\(\\) \\1:3\n");
        }
    }

    /**
     * php-fpm counts a child from its fork; a php-cgi slow to listen (a cold disk, a busy
     * machine) is on the status page already, Idle, with its pid. Start-up waits for the
     * workers to listen before "ready", so the worker watched here is a replacement.
     */
    @Test
    void statusCountsAWorkerFromItsStartNotFromWhenItListens(@TempDir Path bin) throws Exception {
        assumeFalse(Jfpm.isReference(), "JFPM_PHP_CGI is jfpm's");
        Map<String, String> env = SlowPhpCgi.in(bin, Duration.ofSeconds(2));
        // separate workers: a shared parent's replacement child is forked ready, with nothing slow to wait for
        Jfpm backend = Jfpm.start(dir -> statusPool().separateWorkers().render(dir), dir -> env);
        try (Stack s = around(backend)) {
            ProcessHandle master = ProcessHandle.of(backend.pid()).orElseThrow();
            List<Long> first = master.children().map(ProcessHandle::pid).toList();
            assertThat(first).as(s.logs()).hasSize(2);
            Pids.signal(first.getFirst(), "KILL");
            List<Long> replacement = List.of();
            for (int i = 0; i < 100 && replacement.isEmpty(); i++) {
                Pids.sleep(Duration.ofMillis(10));
                replacement = master.children().map(ProcessHandle::pid).filter(p -> !first.contains(p)).toList();
            }
            assertThat(replacement).as(s.logs()).hasSize(1); // in its 2 s sleep, not listening
            String page = Http.text(s.http.get("/status?full&json"));
            assertThat(page).as(s.logs()).contains("\"idle processes\":2,", "\"active processes\":0,",
                    "\"total processes\":2,", "\"pid\":" + replacement.getFirst() + ",\"state\":\"Idle\",");
            assertThat(s.http.get("/echo.php").statusCode()).as(s.logs()).isEqualTo(200);
        }
    }

    private static List<String> awaitLines(Path file, int count) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (Files.exists(file) && Files.readAllLines(file).size() >= count) {
                break;
            }
            Pids.sleep(Duration.ofMillis(20));
        }
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
