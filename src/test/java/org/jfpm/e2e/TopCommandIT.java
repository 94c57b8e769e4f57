package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.ObservabilityIT.Stack;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Listening;
import org.jfpm.e2e.support.Pids;
import org.junit.jupiter.api.Test;

/**
 * {@code jfpm top} in a real terminal: tmux, 80x24, read back with {@code capture-pane}
 * while a request runs through nginx; a key changes the order, {@code q} quits.
 */
class TopCommandIT {
    private static final Path TMUX = Path.of("/usr/bin/tmux");

    @Test
    void showsThePoolAndItsWorkersLiveAndQuitsOnQ() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's own command");
        assumeTrue(Files.isExecutable(TMUX), "tmux is not installed (apt-get install tmux)");
        String session = "jfpm-top-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Stack s = ObservabilityIT.around(ObservabilityIT.statusPool().maxChildren(2)
                .line("jfpm.queue_timeout = 10s").start())) {
            CompletableFuture<HttpResponse<byte[]>> busy =
                    CompletableFuture.supplyAsync(() -> s.http().get("/sleep.php?ms=6000"));
            tmux("new-session", "-d", "-s", session, "-x", "80", "-y", "24",
                    Jfpm.executable() + " top -y " + s.backend().confFile() + "; echo EXITED $?; sleep 30");
            try {
                List<String> screen = await(session, lines -> lines.stream().anyMatch(
                        l -> l.startsWith("[pool www] static  busy 1 idle 1 max 2  queue 0"))
                        && lines.stream().anyMatch(l -> l.contains("Running") && l.endsWith("/sleep.php")), s);
                assertThat(screen.getFirst()).startsWith("jfpm top " + s.backend().confFile()).contains("sort: cpu");
                assertThat(screen).as("fits 80x24").hasSizeLessThanOrEqualTo(24)
                        .allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
                assertThat(screen).anySatisfy(l -> assertThat(l).matches(
                        "  last minute: p50 \\S+  p99 \\S+  503s 0 \\(0 in all\\)"));
                assertThat(screen).anySatisfy(l -> assertThat(l).matches(
                        "  sizing: [0-9.]+M per worker; [0-9.]+[MG] available holds ~\\d+ more"));
                assertThat(workerRows(screen)).hasSize(2);

                tmux("send-keys", "-t", session, "p");
                List<String> byPid = await(session, lines -> lines.getFirst().contains("sort: pid"), s);
                List<Long> pids = workerRows(byPid);
                assertThat(pids).hasSize(2).isSorted();

                tmux("send-keys", "-t", session, "q");
                await(session, lines -> lines.stream().anyMatch(l -> l.equals("EXITED 0")), s);
            } finally {
                tmux("kill-session", "-t", session);
            }
            assertThat(busy.join().statusCode()).isEqualTo(200);
        }
    }

    /** {@code --once} over status addresses: one block per host, a total line, a host that is down. */
    @Test
    void severalHostsByStatusAddressOneBlockEachAndATotal() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's own command");
        int a = Listening.free();
        int b = Listening.free();
        int down = Listening.free();
        try (Jfpm first = Jfpm.pool().maxChildren(2).line("pm.status_path = /status")
                .line("pm.status_listen = 127.0.0.1:" + a).start();
             Jfpm second = Jfpm.pool().maxChildren(3).line("pm.status_path = /status")
                     .line("pm.status_listen = 127.0.0.1:" + b).start()) {
            Jfpm.Run run = Jfpm.run(java.time.Duration.ofSeconds(30), "top", "--once", "127.0.0.1:" + a,
                    "127.0.0.1:" + b + "/status", "127.0.0.1:" + down);
            assertThat(run.exitCode()).as(run.toString()).isZero();
            List<String> screen = List.of(run.stdout().split("\n"));
            assertThat(screen.getFirst()).startsWith("jfpm top 127.0.0.1:" + a + " 127.0.0.1:" + b + " 127.0.0.1:"
                    + down);
            assertThat(screen.get(1)).as(run.stdout()).matches(
                    "3 hosts, 1 down: busy 0 idle 5 max 5  queue 0  [0-9.]+ req/s  503s 0 \\(0 in all\\)");
            assertThat(screen).as(run.stdout()).containsSubsequence(
                    "host 127.0.0.1:" + a, "[pool www] static  busy 0 idle 2 max 2  queue 0 (oldest 0ms)  0.0 req/s",
                    "host 127.0.0.1:" + b, "[pool www] static  busy 0 idle 3 max 3  queue 0 (oldest 0ms)  0.0 req/s",
                    "host 127.0.0.1:" + down, "  cannot ask 127.0.0.1:" + down + ": Connection refused");
            assertThat(screen).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
        }
    }

    private static List<Long> workerRows(List<String> screen) {
        Pattern row = Pattern.compile("^  (\\d+) +(Idle|Running) ");
        List<Long> pids = new ArrayList<>();
        for (String line : screen) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                pids.add(Long.parseLong(m.group(1)));
            }
        }
        return pids;
    }

    /** Captures the pane until {@code ready} holds for its lines (trailing blank lines dropped). */
    private static List<String> await(String session, Predicate<List<String>> ready, Stack s) throws Exception {
        List<String> lines = List.of();
        for (int i = 0; i < 300; i++) {
            lines = capture(session);
            if (!lines.isEmpty() && ready.test(lines)) {
                return lines;
            }
            Pids.sleep(Duration.ofMillis(50));
        }
        throw new AssertionError("the screen never showed what was expected:\n" + String.join("\n", lines)
                + "\n" + s.logs());
    }

    private static List<String> capture(String session) throws Exception {
        List<String> lines = new ArrayList<>(List.of(tmux("capture-pane", "-p", "-t", session).split("\n", -1)));
        while (!lines.isEmpty() && lines.getLast().isBlank()) {
            lines.removeLast();
        }
        return lines;
    }

    private static String tmux(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(TMUX.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }
}
