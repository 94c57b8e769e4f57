package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.Pids;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful reload (USR2, and HUP as Debian's build), log reopening (USR1) and
 * emergency restart, seen from nginx and the error log.
 */
class ReloadIT {

    static final String TIME = "^\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\] ";

    @BeforeEach
    void needsJfpm() {
        assumeTrue(Backends.hasMaster(), "needs a master");
        // php-fpm8.2 kills requests in flight on reload with the default process_control_timeout
        assumeFalse(Jfpm.isReference(), "jfpm's promise: a reload loses no request");
    }

    @Test
    void threeReloadsUnderLoadLoseNoRequest() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(4).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).keepalive(4).start();
             Http http = new Http(nginx.baseUrl())) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> loops = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            for (int c = 0; c < 8; c++) {
                loops.add(clients.submit(() -> {
                    for (int i = 0; i < 2000 && running.get() && System.nanoTime() < deadline; i++) {
                        HttpResponse<byte[]> r = i % 2 == 0 ? http.get("/sleep.php?ms=30")
                                : http.post("/md5.php", new byte[20_000], "application/octet-stream");
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + Http.text(r));
                        }
                    }
                }));
            }
            for (int reload = 1; reload <= 3; reload++) {
                Thread.sleep(700);
                jfpm.signal(reload == 3 ? "HUP" : "USR2");
                jfpm.awaitLogs("NOTICE: Reloading in progress \\.\\.\\.", reload, Duration.ofSeconds(20));
                jfpm.awaitLogs("NOTICE: ready to handle connections", reload + 1, Duration.ofSeconds(20));
            }
            Thread.sleep(700);
            running.set(false);
            for (Future<?> f : loops) {
                f.get();
            }
            clients.shutdown();
            assertThat(failures).as("failed requests during three reloads\n%s\n%s", jfpm.logText(), nginx.errorLog())
                    .isEmpty();
            assertThat(ok.get()).isGreaterThan(50);
            // same master, old workers gone, new ones serving
            assertThat(jfpm.isAlive()).isTrue();
            assertThat(jfpm.awaitWorkers(4, Duration.ofSeconds(10))).hasSize(4);
        }
    }

    /**
     * A USR2 that comes while the previous reload still waits for an old request is not
     * dropped: the new pools serve once "ready" is said, and the next reload starts then.
     */
    @Test
    void aReloadWhileThePreviousOneDrainsIsNotDropped() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> slow =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> http.get("/sleep.php?ms=8000"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Http.text(http.get("/fpmstatus.php")).contains("sleep.php") && System.nanoTime() < deadline) {
                Thread.sleep(20); // until a worker runs the slow request
            }
            jfpm.signal("USR2");
            jfpm.awaitLogs("NOTICE: ready to handle connections", 2, Duration.ofSeconds(20));
            jfpm.signal("USR2"); // the first reload's old pool still waits for the 8 s request
            jfpm.awaitLogs("NOTICE: ready to handle connections", 3, Duration.ofSeconds(6));
            assertThat(slow.isDone()).as("the old request still running").isFalse();
            assertThat(slow.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void reloadAppliesAChangedMaxChildren() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            List<Long> before = jfpm.awaitWorkers(2, Duration.ofSeconds(5));
            Files.writeString(jfpm.confFile(), Files.readString(jfpm.confFile())
                    .replace("pm.max_children = 2", "pm.max_children = 3"));
            jfpm.signal("USR2");
            jfpm.awaitLogs("NOTICE: ready to handle connections", 2, Duration.ofSeconds(20));
            assertThat(Pids.awaitGone(before, Duration.ofSeconds(10))).as("old workers").isEmpty();
            assertThat(jfpm.awaitWorkers(3, Duration.ofSeconds(10))).hasSize(3);
            assertThat(http.get("/echo.php?after=reload").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void brokenConfigIsRefusedAndTheOldPoolsKeepServing() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            List<Long> before = jfpm.awaitWorkers(2, Duration.ofSeconds(5));
            Files.writeString(jfpm.confFile(), Files.readString(jfpm.confFile()) + "\nno.such.directive = 1\n");
            jfpm.signal("USR2");
            jfpm.awaitLog("ERROR: \\[" + java.util.regex.Pattern.quote(jfpm.confFile().toString())
                    + ":\\d+\\] unknown entry 'no.such.directive'", Duration.ofSeconds(10));
            jfpm.awaitLog("ERROR: reload failed: the configuration was refused, the running pools keep serving",
                    Duration.ofSeconds(10));
            assertThat(http.get("/echo.php?still=serving").statusCode()).isEqualTo(200);
            assertThat(jfpm.workerPids()).containsExactlyInAnyOrderElementsOf(before);
        }
    }

    @Test
    void usr1ReopensTheErrorLogAfterLogrotateMovedIt() throws Exception {
        // -O logs to stderr; a master without a terminal and without -O logs to error_log
        try (Jfpm jfpm = Jfpm.startWithoutForcedStderr(Jfpm.pool().maxChildren(1)::render)) {
            Path log = jfpm.dir().resolve("jfpm.log");
            assertThat(Files.readString(log)).contains("NOTICE: ready to handle connections");
            Path rotated = jfpm.dir().resolve("jfpm.log.1");
            Files.move(log, rotated);
            jfpm.signal("USR1");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!(Files.exists(log) && Files.readString(log).contains("re-opened"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(log).exists();
            assertThat(Files.readString(log)).contains("NOTICE: error log file re-opened");
            assertThat(Files.readString(rotated)).doesNotContain("re-opened");
        }
    }

    @Test
    void workersDyingOfSigsegvTriggerAnEmergencyReload() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(3)
                .globalLine("emergency_restart_threshold = 2")
                .globalLine("emergency_restart_interval = 1m").start()) {
            // "ready to handle connections" (awaited by start()) comes once the initial workers
            // listen, so none of them is still starting: a SIGSEGV now is a worker death
            List<Long> workers = jfpm.awaitWorkers(3, Duration.ofSeconds(5));
            Pids.signal(workers.get(0), "SEGV");
            jfpm.awaitLog("WARNING: \\[pool www\\] child " + workers.get(0) + " exited on signal 11 \\(SIGSEGV",
                    Duration.ofSeconds(10));
            Pids.signal(workers.get(1), "SEGV");
            jfpm.awaitLog(TIME + "WARNING: failed processes threshold \\(2 in 60 sec\\) is reached, initiating reload$",
                    Duration.ofSeconds(10));
            jfpm.awaitLogs("NOTICE: ready to handle connections", 2, Duration.ofSeconds(20));
            assertThat(Pids.awaitGone(List.of(workers.get(2)), Duration.ofSeconds(10)))
                    .as("the surviving old worker is replaced by the reload").isEmpty();
        }
    }
}
