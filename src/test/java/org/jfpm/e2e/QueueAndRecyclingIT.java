package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.ObservabilityIT.Stack;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.OpenMetricsPage;
import org.jfpm.e2e.support.Pids;
import org.junit.jupiter.api.Test;

/**
 * jfpm's own pool directives beyond php-fpm, through nginx: the bounded queue
 * (jfpm.queue_timeout, jfpm.queue_limit) answered 503 by the master, recycling by
 * memory and by age (jfpm.max_memory, jfpm.max_lifetime), and the jfpm_* metrics they
 * feed, read with the Prometheus project's own parser.
 */
class QueueAndRecyclingIT {

    private static Stack start(Jfpm.Pool pool) {
        return ObservabilityIT.around(Jfpm.start(dir -> pool.line("access.log = " + dir + "/access.log").render(dir)));
    }

    /** Waits until the text status page shows {@code line} (a pool field and its value). */
    private static void awaitStatus(Stack s, String line) {
        for (int i = 0; i < 200; i++) {
            if (Http.text(s.http().get("/status")).contains(line)) {
                return;
            }
            Pids.sleep(Duration.ofMillis(25));
        }
        throw new AssertionError("the status page never showed '" + line + "'\n" + Http.text(s.http().get("/status"))
                + s.logs());
    }

    private static List<String> accessLines(Stack s, int count) {
        Path log = s.backend().dir().resolve("access.log");
        for (int i = 0; i < 200; i++) {
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                if (lines.size() >= count) {
                    return lines;
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Pids.sleep(Duration.ofMillis(25));
        }
        throw new AssertionError("fewer than " + count + " access log lines\n" + s.logs());
    }

    /**
     * A request that waited jfpm.queue_timeout for the one busy worker gets the master's 503
     * with Retry-After; the pool says so once, counts it on the status page and in OpenMetrics,
     * and the access log has the 503; the busy request is unharmed.
     */
    @Test
    void queueTimeoutAnswers503() {
        assumeFalse(Jfpm.isReference(), "jfpm's own directive");
        try (Stack s = start(ObservabilityIT.statusPool().maxChildren(1).line("jfpm.queue_timeout = 1s"))) {
            CompletableFuture<HttpResponse<byte[]>> busy =
                    CompletableFuture.supplyAsync(() -> s.http().get("/sleep.php?ms=4000"));
            awaitStatus(s, "active processes:     1\n");
            long before = System.nanoTime();
            HttpResponse<byte[]> refused = s.http().get("/pid.php");
            long waitedMillis = (System.nanoTime() - before) / 1_000_000;

            assertThat(refused.statusCode()).as(s.logs()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/plain"));
            assertThat(Http.text(refused)).startsWith("503 Service Unavailable");
            assertThat(waitedMillis).as("it waited its queue_timeout first").isGreaterThanOrEqualTo(950);
            s.backend().awaitLog("WARNING: \\[pool www\\] server reached pm.max_children setting \\(1\\), request "
                    + "queued for 1s: answered 503$", Duration.ofSeconds(2));
            assertThat(Http.text(s.http().get("/status"))).contains("queue timeouts:       1\n",
                    "queue rejected:       0\n", "max children:         1\n");
            assertThat(busy.join().statusCode()).isEqualTo(200);
            assertThat(accessLines(s, 2)).anySatisfy(l -> assertThat(l).contains("\"GET /pid.php\" 503"));

            OpenMetricsPage page = OpenMetricsPage.parse(Http.text(s.http().get("/status?openmetrics&full")));
            assertThat(page.family("phpfpm_accepted_connections")).as("php-fpm's metrics stay").isNotNull();
            assertThat(page.value("jfpm_queue_timeouts", "jfpm_queue_timeouts_total")).isEqualTo(1);
            assertThat(page.value("jfpm_queue_rejected", "jfpm_queue_rejected_total")).isZero();
            assertThat(page.value("jfpm_max_children", "jfpm_max_children")).isEqualTo(1);
            assertThat(page.openMetricsFamily("jfpm_request_duration_seconds").type()).isEqualTo("histogram");
            assertThat(page.value("jfpm_request_duration_seconds", "jfpm_request_duration_seconds_bucket", "le=+Inf"))
                    .as("the sleep and the status polls were not PHP's; the sleep was").isGreaterThanOrEqualTo(1);
            assertThat(page.value("jfpm_request_duration_seconds", "jfpm_request_duration_seconds_bucket", "le=2.5"))
                    .as("the four-second sleep is above 2.5 s").isZero();
            assertThat(page.value("jfpm_queue_wait_seconds", "jfpm_queue_wait_seconds_count")).isGreaterThanOrEqualTo(1);
            long worker = s.backend().workerPids().getFirst();
            assertThat(page.value("jfpm_worker_resident_bytes", "jfpm_worker_resident_bytes", "pid=" + worker))
                    .isGreaterThan(1 << 20);
        }
    }

    /**
     * With jfpm.queue_limit = 1 and the one worker busy, the first waiting request queues and
     * is served; the next is answered 503 at once, without waiting.
     */
    @Test
    void queueLimitRefusesAtOnce() {
        assumeFalse(Jfpm.isReference(), "jfpm's own directive");
        try (Stack s = start(ObservabilityIT.statusPool().maxChildren(1).line("jfpm.queue_limit = 1"))) {
            CompletableFuture<HttpResponse<byte[]>> busy =
                    CompletableFuture.supplyAsync(() -> s.http().get("/sleep.php?ms=3000"));
            awaitStatus(s, "active processes:     1\n");
            CompletableFuture<HttpResponse<byte[]>> queued = CompletableFuture.supplyAsync(() -> s.http().get("/pid.php"));
            awaitStatus(s, "listen queue:         1\n");

            HttpResponse<byte[]> refused = s.http().get("/pid.php?third");
            assertThat(refused.statusCode()).as(s.logs()).isEqualTo(503);
            assertThat(busy.isDone()).as("answered before the busy worker was free").isFalse();
            s.backend().awaitLog("WARNING: \\[pool www\\] server reached pm.max_children setting \\(1\\), 1 requests "
                    + "queued \\(jfpm.queue_limit\\): answered 503$", Duration.ofSeconds(2));

            assertThat(busy.join().statusCode()).isEqualTo(200);
            assertThat(queued.join().statusCode()).as("the queued one is served").isEqualTo(200);
            assertThat(Http.text(s.http().get("/status"))).contains("queue rejected:       1\n",
                    "queue timeouts:       0\n");
        }
    }

    /**
     * jfpm.max_memory: small requests leave the worker alone; one that leaves it with more
     * resident memory than the bound gets its answer, then the worker is replaced with a NOTICE.
     */
    @Test
    void maxMemoryReplacesAWorkerAfterItsRequest() {
        assumeFalse(Jfpm.isReference(), "jfpm's own directive");
        try (Stack s = start(ObservabilityIT.statusPool().maxChildren(1).line("php_admin_value[memory_limit] = 512M")
                .line("jfpm.max_memory = 64M"))) {
            long first = Long.parseLong(Http.text(s.http().get("/pid.php")).trim());
            assertThat(Long.parseLong(Http.text(s.http().get("/pid.php")).trim())).as("kept: under the bound")
                    .isEqualTo(first);
            HttpResponse<byte[]> big = s.http().get("/alloc.php?mb=150");
            assertThat(big.statusCode()).as(s.logs()).isEqualTo(200);
            assertThat(Long.parseLong(Http.text(big).trim())).isEqualTo(first);
            s.backend().awaitLog("NOTICE: \\[pool www\\] child " + first + " has [0-9.]+M resident, over "
                    + "jfpm.max_memory \\(64\\.0M\\): replacing it$", Duration.ofSeconds(2));
            s.backend().awaitLog("NOTICE: \\[pool www\\] child " + first + " exited with code 0 ", Duration.ofSeconds(5));
            HttpResponse<byte[]> next = s.http().get("/pid.php");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(Long.parseLong(Http.text(next).trim())).as("a new worker").isNotEqualTo(first);
            assertThat(Http.text(s.http().get("/status"))).contains("recycled by memory:   1\n");
            OpenMetricsPage page = OpenMetricsPage.parse(Http.text(s.http().get("/status?openmetrics")));
            assertThat(page.value("jfpm_worker_recycles", "jfpm_worker_recycles_total", "reason=max_memory"))
                    .isEqualTo(1);
            assertThat(page.value("jfpm_worker_recycles", "jfpm_worker_recycles_total", "reason=max_lifetime")).isZero();
        }
    }

    /**
     * jfpm.max_lifetime: workers past their age are replaced between requests, one at a time
     * (the next only after the last one has exited), while requests go on without a failure.
     */
    @Test
    void maxLifetimeReplacesWorkersOneAtATime() {
        assumeFalse(Jfpm.isReference(), "jfpm's own directive");
        try (Stack s = start(ObservabilityIT.statusPool().maxChildren(2).line("jfpm.max_lifetime = 2s"))) {
            Pattern notice = Pattern.compile("NOTICE: \\[pool www\\] child (\\d+) is [0-9.]+s old, over "
                    + "jfpm.max_lifetime \\(2\\.000s\\): replacing it$");
            Set<Long> replaced = new LinkedHashSet<>();
            for (int i = 0; i < 200 && replaced.size() < 3; i++) {
                HttpResponse<byte[]> r = s.http().get("/pid.php?i=" + i);
                assertThat(r.statusCode()).as("request %d\n%s", i, s.logs()).isEqualTo(200);
                for (String line : s.backend().log().lines()) {
                    Matcher m = notice.matcher(line);
                    if (m.find()) {
                        replaced.add(Long.parseLong(m.group(1)));
                    }
                }
                Pids.sleep(Duration.ofMillis(50));
            }
            assertThat(replaced).as(s.logs()).hasSizeGreaterThanOrEqualTo(3);
            List<String> lines = s.backend().log().lines();
            List<Long> order = new ArrayList<>(replaced);
            for (int k = 0; k + 1 < order.size(); k++) {
                int exited = indexOf(lines, "child " + order.get(k) + " exited");
                int nextNotice = indexOf(lines, "child " + order.get(k + 1) + " is ");
                assertThat(exited).as("child %d exited before child %d was replaced\n%s", order.get(k),
                        order.get(k + 1), s.logs()).isBetween(0, nextNotice);
            }
            assertThat(Http.text(s.http().get("/status"))).containsPattern("recycled by lifetime: [3-9]\\d*\n");
        }
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
