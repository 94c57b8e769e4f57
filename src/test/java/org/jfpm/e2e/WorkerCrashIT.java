package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.e2e.support.Nginx;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A worker killed with SIGKILL in the middle of a request (OOM killer, an admin): that request
 * is lost (502 at nginx), the master says so in php-fpm's words and starts a replacement, and
 * the following requests work, also on the FastCGI connections nginx kept.
 */
class WorkerCrashIT {

    static final int WORKERS = 4;

    @ParameterizedTest(name = "nginx upstream keepalive {0}, shared opcache {1}")
    @CsvSource({"0, true", "8, true", "0, false"})
    void workerKilledMidRequest(int keepalive, boolean shared) throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master with php-fpm's log");
        assumeTrue(shared || !Jfpm.isReference(), "php-fpm has one kind of worker");
        Jfpm.Pool pool = Jfpm.pool().maxChildren(WORKERS);
        try (Jfpm master = (shared ? pool : pool.separateWorkers()).start();
             Nginx nginx = Nginx.passingTo(master.nginxAddress()).keepalive(keepalive).start();
             Http http = new Http(nginx.baseUrl());
             ScratchDir scratch = ScratchDir.create("crash-e2e-")) {
            assertThat(master.awaitWorkers(WORKERS, Duration.ofSeconds(5))).hasSize(WORKERS);
            Path pidFile = scratch.resolve("busy.pid");

            CompletableFuture<HttpResponse<byte[]>> busy = CompletableFuture.supplyAsync(
                    () -> http.get("/sleep.php?ms=8000&pidfile=" + pidFile));
            long victim = awaitPid(pidFile, Duration.ofSeconds(10));
            assertThat(master.workerPids()).as("the sleeping pid is a worker").contains(victim);

            Pids.signal(victim, "KILL");

            HttpResponse<byte[]> lost = busy.get(20, TimeUnit.SECONDS);
            assertThat(lost.statusCode()).as(master.logText() + "\n--- nginx error.log\n" + nginx.errorLog()).isEqualTo(502);
            // a shared child's status goes to its php-cgi parent (docs/differences.md)
            String how = shared && !Jfpm.isReference() ? "exited unexpectedly after \\d+\\.\\d+ seconds from start \\(its "
                    + "exit status went to its php-cgi parent\\)$" : "exited on signal 9 \\(SIGKILL\\) after \\d+\\.\\d+ seconds from start$";
            master.awaitLog("WARNING: \\[pool www\\] child " + victim + " " + how, Duration.ofSeconds(5));
            String started = master.awaitLog("NOTICE: \\[pool www\\] child \\d+ started$", Duration.ofSeconds(5));
            long replacement = Long.parseLong(Pattern.compile("child (\\d+) started").matcher(started).results()
                    .findFirst().orElseThrow().group(1));

            List<Long> workers = master.awaitWorkers(WORKERS, Duration.ofSeconds(5));
            assertThat(workers).hasSize(WORKERS).doesNotContain(victim).contains(replacement);
            for (int i = 0; i < 20; i++) {
                HttpResponse<byte[]> r = http.get("/echo.php?next=" + i);
                assertThat(r.statusCode()).as("request %d after the kill\n%s", i, master.logText() + "\n--- nginx error.log\n" + nginx.errorLog()).isEqualTo(200);
                assertThat(Http.text(r)).contains("get.next=" + i + "\n");
            }
        }
    }

    private static long awaitPid(Path file, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(file)) {
                    return Long.parseLong(Files.readString(file).trim());
                }
            } catch (Exception e) {
                // written by rename, so a partial read is not expected; try again
            }
            Pids.sleep(Duration.ofMillis(20));
        }
        throw new AssertionError("sleep.php did not write " + file + " within " + timeout);
    }
}
