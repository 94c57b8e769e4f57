package org.jfpm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** jfpm top's arithmetic and layout, from status pages written as jfpm writes them. */
class TopModelTest {

    private static String text(long accepted, long timeouts, String... workers) {
        StringBuilder page = new StringBuilder("pool:                 www\nprocess manager:      dynamic\n"
                + "accepted conn:        " + accepted + "\nlisten queue:         2\nidle processes:       1\n"
                + "active processes:     1\nmax children:         4\nqueue oldest wait:    180000\n"
                + "queue timeouts:       " + timeouts + "\nqueue rejected:       1\n");
        for (String w : workers) {
            page.append("\n************************\n").append(w);
        }
        return page.toString();
    }

    private static String worker(long pid, String state, long requests, String script, long residentBytes) {
        return "pid:                  " + pid + "\nstate:                " + state + "\nrequests:             " + requests
                + "\nrequest duration:     120000\nscript:               " + script + "\nresident memory:      "
                + residentBytes + "\n";
    }

    private static String metrics(long... cumulative) {
        String[] le = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "30.0",
            "60.0", "+Inf"};
        StringBuilder out = new StringBuilder("# TYPE jfpm_request_duration_seconds histogram\n");
        for (int i = 0; i < le.length; i++) {
            out.append("jfpm_request_duration_seconds_bucket{le=\"").append(le[i]).append("\"} ")
                    .append(cumulative[i]).append('\n');
        }
        return out.append("jfpm_queue_wait_seconds_bucket{le=\"0.005\"} 99\n# EOF\n").toString();
    }

    @Test
    void ratesQuantilesAndCpuComeFromTwoReadings() {
        TopModel model = new TopModel();
        long[] before = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
        long[] after = {10, 60, 100, 108, 110, 110, 110, 110, 110, 110, 110, 110, 110, 110};
        model.update("www", TopModel.parse(text(100, 0, worker(7, "Idle", 5, "-", 20 << 20)), metrics(before)),
                1_000_000_000L, Map.of(7L, 100L));
        TopModel.PoolView v = model.update("www", TopModel.parse(text(302, 3,
                worker(7, "Running", 9, "/srv/index.php", 30 << 20), worker(8, "Idle", 1, "-", 10 << 20)),
                metrics(after)), 3_000_000_000L, Map.of(7L, 150L, 8L, 1L));
        assertThat(v.requestsPerSecond()).as("(302 - 100 - top's own 2) / 2 s").isEqualTo(100.0);
        assertThat(v.p50()).as("the 50th of 100 new requests is within 10 ms").isEqualTo(0.01);
        assertThat(v.p99()).as("the 99th is within 100 ms (98 within 50)").isEqualTo(0.1);
        assertThat(v.refused()).isEqualTo(4);
        assertThat(v.refusedLastMinute()).as("4 now, 1 a minute ago").isEqualTo(3);
        assertThat(v.queue()).isEqualTo(2);
        assertThat(v.oldestWaitMicros()).isEqualTo(180000);
        assertThat(v.maxChildren()).isEqualTo(4);
        assertThat(v.workers()).hasSize(2);
        TopModel.Worker busy = v.workers().getFirst();
        assertThat(busy.cpuPercent()).as("50 ticks in 2 s").isEqualTo(25.0);
        assertThat(busy.script()).isEqualTo("/srv/index.php");
        assertThat(v.averageResidentBytes()).isEqualTo(20 << 20);
    }

    @Test
    void theScreenFitsAndSortsAndKeepsTheEndOfLongScripts() {
        TopModel.Worker a = new TopModel.Worker(30, "Idle", 5, "-", 0, 10 << 20, 1.0);
        TopModel.Worker b = new TopModel.Worker(20, "Running", 7, "/var/www/a/very/long/path/that/goes/on/and/on/"
                + "and/on/index.php", 5_000, 40 << 20, 50.0);
        TopModel.PoolView pool = new TopModel.PoolView(null, "www", "static", 1, 1, 2, 0, 0, 12.5, 0.025, 0.25, 0, 0,
                List.of(a, b), null);
        List<String> byCpu = TopScreen.render("jfpm top x", List.of(pool), TopScreen.Sort.CPU, 8L << 30, 80, 24);
        assertThat(byCpu).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(byCpu.get(2)).isEqualTo("[pool www] static  busy 1 idle 1 max 2  queue 0 (oldest 0ms)  12.5 req/s");
        assertThat(byCpu.get(3)).isEqualTo("  last minute: p50 <=25ms  p99 <=250ms  503s 0 (0 in all)");
        assertThat(byCpu.get(4)).isEqualTo("  sizing: 25.0M per worker; 8.0G available holds ~327 more");
        assertThat(byCpu.get(6)).startsWith("  20 ").endsWith("/and/on/index.php").contains("...");
        assertThat(byCpu.get(7)).startsWith("  30 ");
        List<String> byPid = TopScreen.render("t", List.of(pool), TopScreen.Sort.forKey('p', TopScreen.Sort.CPU),
                0, 80, 24);
        assertThat(byPid.get(6)).startsWith("  20 ");
        List<String> small = TopScreen.render("t", List.of(pool, pool), TopScreen.Sort.CPU, 0, 80, 12);
        assertThat(small).hasSizeLessThanOrEqualTo(12);
        assertThat(TopScreen.quantile(Double.NaN)).isEqualTo("-");
        assertThat(TopScreen.quantile(Double.POSITIVE_INFINITY)).isEqualTo(">60s");
    }

    @Test
    void hostsReadFromStatusAddressesAreNamedByTheirPageAndAddedUpInOneTotalLine() {
        TopModel model = new TopModel();
        long[] none = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        // the same pool name on two hosts: each keeps its own history, keyed by address
        model.update("127.0.0.2:9001", null, TopModel.parse(text(100, 0, worker(1, "Idle", 5, "-", 20 << 20)),
                metrics(none)), 1_000_000_000L, null);
        model.update("127.0.0.3:9001", null, TopModel.parse(text(500, 0), metrics(none)), 1_000_000_000L, null);
        TopModel.PoolView a = model.update("127.0.0.2:9001", null, TopModel.parse(text(202, 0,
                worker(1, "Running", 6, "/srv/index.php", 20 << 20)), metrics(none)), 2_000_000_000L, null);
        TopModel.PoolView b = model.update("127.0.0.3:9001", null, TopModel.parse(text(552, 2), metrics(none)),
                2_000_000_000L, null);
        TopModel.PoolView gone = TopModel.PoolView.failed("127.0.0.4:9001", null,
                "cannot ask 127.0.0.4:9001: Connection refused");
        assertThat(a.name()).as("the page's pool field").isEqualTo("www");
        assertThat(a.host()).isEqualTo("127.0.0.2:9001");
        assertThat(a.requestsPerSecond()).isEqualTo(100.0);
        assertThat(b.requestsPerSecond()).as("its own previous reading, not the other host's").isEqualTo(50.0);
        assertThat(a.workers().getFirst().cpuPercent()).as("another host's process: unknown").isNaN();

        TopModel.Total t = TopModel.total(List.of(a, b, gone));
        assertThat(t.hosts()).isEqualTo(3);
        assertThat(t.unreachable()).isEqualTo(1);
        assertThat(t.active()).isEqualTo(2);
        assertThat(t.idle()).isEqualTo(2);
        assertThat(t.maxChildren()).isEqualTo(8);
        assertThat(t.queue()).isEqualTo(4);
        assertThat(t.requestsPerSecond()).isEqualTo(150.0);
        assertThat(t.refused()).as("1 rejected on a, 2 timeouts + 1 rejected on b").isEqualTo(4);
        assertThat(t.refusedLastMinute()).as("b's 2 timeouts came within the minute").isEqualTo(2);

        List<String> screen = TopScreen.render("jfpm top x", List.of(a, b, gone), TopScreen.Sort.CPU, 8L << 30, 80, 24);
        assertThat(screen).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        assertThat(screen.get(1)).isEqualTo(
                "3 hosts, 1 down: busy 2 idle 2 max 8  queue 4  150.0 req/s  503s 2 (4 in all)");
        assertThat(screen.get(2)).isEqualTo("host 127.0.0.2:9001");
        assertThat(screen.get(3)).startsWith("[pool www] dynamic  busy 1 idle 1 max 4  queue 2");
        assertThat(screen).anySatisfy(l -> assertThat(l).startsWith("  1 ").contains(" Running ").contains("      - "));
        assertThat(screen).containsSubsequence("host 127.0.0.4:9001", "  cannot ask 127.0.0.4:9001: Connection refused");
        assertThat(TopScreen.render("t", List.of(a), TopScreen.Sort.CPU, 0, 80, 24).get(1))
                .as("one pool: no total line").isEqualTo("host 127.0.0.2:9001");
    }

    @Test
    void anArgumentIsAnAddressWhenItHasAColonOrStartsWithASlash() {
        assertThat(RemoteTarget.isAddress("www")).isFalse();
        assertThat(RemoteTarget.isAddress("127.0.0.2:9001")).isTrue();
        assertThat(RemoteTarget.isAddress("/run/php/www.sock")).isTrue();
        assertThat(RemoteTarget.parse("127.0.0.2:9001")).contains(new RemoteTarget("127.0.0.2:9001", null));
        assertThat(RemoteTarget.parse("127.0.0.2:9001/status")).contains(new RemoteTarget("127.0.0.2:9001", "/status"));
        assertThat(RemoteTarget.parse("[::1]:9001/ping")).contains(new RemoteTarget("[::1]:9001", "/ping"));
        assertThat(RemoteTarget.parse("localhost:9001")).contains(new RemoteTarget("localhost:9001", null));
        assertThat(RemoteTarget.parse("/run/php/www.sock")).contains(new RemoteTarget("/run/php/www.sock", null));
        assertThat(RemoteTarget.parse("/run/php/www.sock").orElseThrow().pathOr("/ping")).isEqualTo("/ping");
        assertThat(RemoteTarget.parse("127.0.0.2:9001/status").orElseThrow().pathOr("/ping")).isEqualTo("/status");
        assertThat(RemoteTarget.parse(":9001")).as("no host").isEmpty();
        assertThat(RemoteTarget.parse("127.0.0.2:")).isEmpty();
        assertThat(RemoteTarget.parse("127.0.0.2:70000")).isEmpty();
        assertThat(RemoteTarget.parse("127.0.0.2:90a1")).isEmpty();
        assertThat(RemoteTarget.parse("::1:9001")).as("IPv6 needs its brackets").isEmpty();
    }
}
