package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.Pids;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three process managers seen from outside: how many php-cgi workers run, second by
 * second, before, under and after a bounded load step, and the lines php-fpm logs on the way
 * (sapi/fpm/fpm/fpm_process_ctl.c and fpm_children.c). Loads are a few concurrent requests
 * on loopback, each a short sleep.
 */
class ProcessManagerIT {

    @Test
    void staticKeepsMaxChildren() {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(3).start()) {
            assertThat(jfpm.awaitWorkers(3, Duration.ofSeconds(5))).as(jfpm.logText()).hasSize(3);
            List<Long> first = jfpm.workerPids();
            Pids.sleep(Duration.ofMillis(2500));
            assertThat(jfpm.workerPids()).as("the same three workers, nothing retired").isEqualTo(first);
        }
    }

    /**
     * start_servers 2, spares 1/2, max_children 8, under a load of 10 requests always in
     * flight: one more worker per second (min_spare - idle = 1), the rate doubling to 8 prints
     * "seems busy", then max_children is reached and said once. Without load the pool shrinks
     * by one idle worker a second back to max_spare, each a DEBUG "killed by the process
     * management" line and no replacement.
     */
    @ParameterizedTest(name = "shared opcache {0}")
    @ValueSource(booleans = {false, true})
    void dynamicGrowsUnderLoadAndShrinksOnePerSecond(boolean shared) throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        assumeTrue(!shared || !Jfpm.isReference(), "php-fpm runs once");
        Jfpm.Pool pool = Jfpm.pool().maxChildren(8)
                .globalLine("log_level = debug")
                .line("pm = dynamic")
                .line("pm.start_servers = 2")
                .line("pm.min_spare_servers = 1")
                .line("pm.max_spare_servers = 2")
                .line("pm.status_path = /status");
        try (Jfpm jfpm = (shared ? pool : pool.separateWorkers()).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            assertThat(awaitWorkers(jfpm, shared, 2, Duration.ofSeconds(5))).as(jfpm.logText()).hasSize(2);
            Pids.sleep(Duration.ofMillis(1500));
            assertThat(workers(jfpm, shared)).as("idle at start_servers, between the spares").hasSize(2);

            Load load = Load.start(http, 10, "/pid.php?ms=300");
            List<Integer> growth = new ArrayList<>();
            for (int s = 0; s < 8; s++) {
                Pids.sleep(Duration.ofSeconds(1));
                growth.add(workers(jfpm, shared).size());
            }
            jfpm.awaitLog("WARNING: \\[pool www\\] seems busy \\(you may need to increase pm.start_servers, or "
                    + "pm.min/max_spare_servers\\), spawning 8 children, there are 0 idle, and \\d+ total children$",
                    Duration.ofSeconds(2));
            jfpm.awaitLog("WARNING: \\[pool www\\] server reached pm.max_children setting \\(8\\), consider raising it$",
                    Duration.ofSeconds(3));
            List<Integer> statuses = load.stop();
            assertThat(statuses).as("every request of the load\n" + jfpm.logText()).isNotEmpty().containsOnly(200);
            assertThat(growth).as("workers each second under load").isSorted().last().isEqualTo(8);
            assertThat(growth.getFirst()).as("one worker a second at first").isLessThanOrEqualTo(4);
            assertThat(jfpm.log().lines().stream().filter(l -> l.contains("server reached pm.max_children")))
                    .as("said once per episode").hasSize(1);

            // the load is gone: one idle worker a second is killed, down to max_spare_servers
            long quiet = System.nanoTime();
            List<Integer> shrink = new ArrayList<>();
            int seen = 8;
            while (seen > 2 && System.nanoTime() - quiet < Duration.ofSeconds(15).toNanos()) {
                Pids.sleep(Duration.ofMillis(200));
                int now = workers(jfpm, shared).size();
                if (now != seen) {
                    shrink.add(now);
                    seen = now;
                }
            }
            double seconds = (System.nanoTime() - quiet) / 1e9;
            assertThat(shrink).as("one by one\n" + jfpm.logText()).containsExactly(7, 6, 5, 4, 3, 2);
            assertThat(seconds).as("one a second: six kills take about six seconds").isBetween(4.0, 9.0);
            Pids.sleep(Duration.ofMillis(2000));
            assertThat(workers(jfpm, shared)).as("max_spare_servers stay").hasSize(2);
            assertThat(jfpm.log().lines().stream().filter(l -> l.matches(
                    ".*DEBUG: \\[pool www\\] child \\d+ has been killed by the process management after \\d+\\.\\d{6} seconds from start$")))
                    .hasSize(6);
            assertThat(jfpm.log().lines()).noneMatch(l -> l.contains("NOTICE: [pool www] child") && l.contains("started"));
        }
    }

    /**
     * No worker at start; a request that has to wait starts one; a worker idle longer than
     * pm.process_idle_timeout (1 s here) is killed, one a second; beyond max_children the
     * ondemand warning (without "pm.") is said once.
     */
    @ParameterizedTest(name = "shared opcache {0}")
    @ValueSource(booleans = {false, true})
    void ondemandStartsNoneSpawnsOnDemandAndReapsIdle(boolean shared) throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        assumeTrue(!shared || !Jfpm.isReference(), "php-fpm runs once");
        Jfpm.Pool pool = Jfpm.pool().maxChildren(3)
                .globalLine("log_level = debug")
                .line("pm = ondemand")
                .line("pm.process_idle_timeout = 1s")
                .line("pm.status_path = /status");
        try (Jfpm jfpm = (shared ? pool : pool.separateWorkers()).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            Pids.sleep(Duration.ofMillis(1500));
            assertThat(workers(jfpm, shared)).as("ondemand starts none").isEmpty();

            HttpResponse<byte[]> one = http.get("/pid.php");
            assertThat(one.statusCode()).as(jfpm.logText()).isEqualTo(200);
            assertThat(workers(jfpm, shared)).hasSize(1).contains(Long.parseLong(Http.text(one).trim()));
            jfpm.awaitLog("DEBUG: \\[pool www\\] got accept without idle child available \\.\\.\\.\\. I forked$",
                    Duration.ofSeconds(1));

            Load load = Load.start(http, 5, "/pid.php?ms=500");
            Pids.sleep(Duration.ofMillis(1500));
            assertThat(workers(jfpm, shared)).as("up to max_children").hasSize(3);
            jfpm.awaitLog("WARNING: \\[pool www\\] server reached max_children setting \\(3\\), consider raising it$",
                    Duration.ofSeconds(2));
            List<Integer> statuses = load.stop();
            assertThat(statuses).isNotEmpty().containsOnly(200);
            assertThat(jfpm.log().lines().stream().filter(l -> l.contains("server reached max_children")))
                    .as("once per episode").hasSize(1);

            long quiet = System.nanoTime();
            assertThat(awaitWorkers(jfpm, shared, 0, Duration.ofSeconds(8))).as(jfpm.logText()).isEmpty();
            double seconds = (System.nanoTime() - quiet) / 1e9;
            // idle for more than 1 s, then one kill per tick: 3 workers gone after about 2-4 s
            assertThat(seconds).isBetween(1.5, 6.0);
            // the last worker is gone from the process table a moment before its line is read
            jfpm.awaitLogs("has been killed by the process management", 3, Duration.ofSeconds(2));
            assertThat(jfpm.log().lines().stream().filter(l -> l.contains("has been killed by the process management")))
                    .as("no more than the three it had").hasSize(3);
        }
    }

    /**
     * pm.max_requests = 3: each worker serves three requests, then exits with code 0 and is
     * replaced at once, logged as php-fpm logs it; not one request fails on the way.
     */
    @Test
    void maxRequestsRecyclesWorkersWithoutFailingARequest() {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).line("pm.max_requests = 3").start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).keepalive(4).start();
             Http http = new Http(nginx.baseUrl())) {
            Map<Long, Integer> served = new HashMap<>();
            for (int i = 0; i < 24; i++) {
                HttpResponse<byte[]> r = http.get("/pid.php?i=" + i);
                assertThat(r.statusCode()).as("request %d\n%s", i, jfpm.logText()).isEqualTo(200);
                served.merge(Long.parseLong(Http.text(r).trim()), 1, Integer::sum);
            }
            assertThat(served.values()).as("requests per worker pid").allMatch(n -> n <= 3);
            assertThat(served).hasSizeGreaterThanOrEqualTo(8);
            String exited = jfpm.awaitLog("NOTICE: \\[pool www\\] child \\d+ exited with code 0 after \\d+\\.\\d{6} "
                    + "seconds from start$", Duration.ofSeconds(2));
            jfpm.awaitLog("NOTICE: \\[pool www\\] child \\d+ started$", Duration.ofSeconds(2));
            long pid = Long.parseLong(exited.replaceAll(".*child (\\d+) exited.*", "$1"));
            assertThat(served.get(pid)).as("the exited worker served max_requests").isEqualTo(3);
            assertThat(jfpm.awaitWorkers(2, Duration.ofSeconds(3))).hasSize(2);
        }
    }

    /** process.max counts every pool's workers; the pool that wanted more says so once. */
    @Test
    void processMaxCapsAllPools() {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(5).globalLine("process.max = 3").start()) {
            jfpm.awaitLog("WARNING: The maximum number of processes has been reached. Please review your "
                    + "configuration and consider raising 'process.max'$", Duration.ofSeconds(3));
            assertThat(jfpm.awaitWorkers(3, Duration.ofSeconds(5))).hasSize(3);
            Pids.sleep(Duration.ofMillis(1500));
            assertThat(jfpm.workerPids()).hasSize(3);
            assertThat(jfpm.log().lines().stream().filter(l -> l.contains("'process.max'"))).hasSize(1);
        }
    }

    /**
     * The workers the process manager counts: the process table's php-cgi workers, or with
     * shared opcache (where php-cgi's parent keeps pm.max_children children forked) the
     * status page's, which lists the children holding a connection from the master.
     */
    private static List<Long> workers(Jfpm jfpm, boolean shared) {
        if (!shared || Jfpm.isReference()) {
            return jfpm.workerPids();
        }
        try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/status",
                    "SCRIPT_FILENAME", "/status", "QUERY_STRING", "full&json"), new byte[0]);
            List<Long> pids = new ArrayList<>();
            Matcher m = Pattern.compile("\"pid\":(\\d+)").matcher(new String(r.body(), StandardCharsets.UTF_8));
            while (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
            return pids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Long> awaitWorkers(Jfpm jfpm, boolean shared, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> now = workers(jfpm, shared);
        while (now.size() != count && System.nanoTime() < deadline) {
            Pids.sleep(Duration.ofMillis(50));
            now = workers(jfpm, shared);
        }
        return now;
    }

    /** {@code n} clients each sending requests back to back until stopped; collects the statuses. */
    private static final class Load {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        private final List<Thread> clients = new ArrayList<>();

        static Load start(Http http, int n, String path) {
            Load load = new Load();
            for (int i = 0; i < n; i++) {
                load.clients.add(Thread.ofVirtual().start(() -> {
                    while (load.running.get()) {
                        load.statuses.add(http.get(path).statusCode());
                    }
                }));
            }
            return load;
        }

        List<Integer> stop() throws InterruptedException {
            running.set(false);
            for (Thread t : clients) {
                t.join(Duration.ofSeconds(10));
            }
            return List.copyOf(statuses);
        }
    }
}
