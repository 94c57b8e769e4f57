package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Site;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;

/**
 * 50 clients at once onto 4 workers: every request must be answered, with and without nginx
 * keeping its FastCGI connections open. With php-fpm (or bare php-cgi) a kept connection pins
 * a worker, so keep-alive with more nginx connections than workers starves requests; jfpm
 * ends nginx's connections in the master, so it must not.
 */
class ConcurrencyIT {

    static final int WORKERS = 4;
    static final int CLIENTS = 50;
    static final int REQUESTS = 200;

    @Test
    void twoHundredRequestsFiftyConcurrentOntoFourWorkers() throws Exception {
        try (Site site = Site.start(WORKERS)) {
            assertAllAnswered(site);
        }
    }

    @Test
    void keptFastCgiConnectionsDoNotPinWorkers() throws Exception {
        try (Site site = Site.start(WORKERS, 32, "")) {
            assertAllAnswered(site);
            // and once more on the connections nginx kept from the first round
            assertAllAnswered(site);
        }
    }

    /**
     * nginx's upstream keepalive and Apache's enablereuse hold hundreds of FastCGI
     * connections open between requests: idle, each costs the master a small buffer, not a
     * request buffer (128 KiB each: 300 of them would be 38 MB more RSS), and the next request
     * on it, even one whose head outgrows the small buffer, is served whole.
     */
    @Test
    void idleKeptConnectionsHoldNoRequestBuffer() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            List<FcgiClient> kept = new ArrayList<>();
            try {
                FcgiClient first = FcgiClient.connect(jfpm.listenSocket()).keepConn(true);
                kept.add(first);
                assertThat(first.request(RequestSemanticsIT.get("echo.php", "n=0"), new byte[0]).bodyText())
                        .contains("get.n=0\n");
                long before = FrontFuzzIT.rssKb(jfpm.pid());
                for (int i = 1; i <= 300; i++) {
                    FcgiClient c = FcgiClient.connect(jfpm.listenSocket()).keepConn(true);
                    kept.add(c);
                    assertThat(c.request(RequestSemanticsIT.get("echo.php", "n=" + i), new byte[0]).bodyText())
                            .contains("get.n=" + i + "\n");
                }
                long grownKb = FrontFuzzIT.rssKb(jfpm.pid()) - before;
                assertThat(grownKb).as("master RSS growth for 300 idle kept connections, kB\n" + jfpm.logText())
                        .isLessThan(16 * 1024);
                String big = "x".repeat(20_000);
                for (int i = 0; i < kept.size(); i += 50) {
                    FcgiClient.Response r = kept.get(i).request(RequestSemanticsIT.get("echo.php", "again=" + big),
                            new byte[0]);
                    assertThat(r.bodyText()).as(jfpm.logText()).contains("get.again=" + big + "\n");
                }
            } finally {
                for (FcgiClient c : kept) {
                    c.close();
                }
            }
        }
    }

    private static void assertAllAnswered(Site site) throws Exception {
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> pidsSeen = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<HttpResponse<byte[]>>> futures = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                futures.add(pool.submit(() -> site.http.get("/pid.php?ms=20")));
            }
            for (Future<HttpResponse<byte[]>> f : futures) {
                try {
                    HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
                    statuses.merge(r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() == 200) {
                        pidsSeen.add(new String(r.body()).trim());
                    }
                } catch (Exception e) {
                    failures.add(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e));
                }
            }
            pool.shutdownNow();
        }
        assertThat(failures).as("requests that got no answer\n" + site.logs()).isEmpty();
        assertThat(statuses).as("status -> count\n" + site.logs()).isEqualTo(Map.of(200, REQUESTS));
        // the answers came from the pool's workers, and the pool still has all of them
        List<Long> workers = site.backend.awaitWorkers(WORKERS, Duration.ofSeconds(5));
        assertThat(workers).hasSize(WORKERS);
        assertThat(pidsSeen.stream().map(Long::parseLong).distinct())
                .as("pids that answered, workers " + workers)
                .isSubsetOf(workers)
                .hasSizeGreaterThan(1);
    }
}
