package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Pids;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jfpm.shared_opcache: a pool's workers are children of one php-cgi parent and share its
 * opcache, as php-fpm's children share their master's; separate pools do not.
 */
class SharedOpcacheIT {
    /** opcache skips files younger than opcache.file_update_protection (2 s): the scripts are fresh. */
    private static final String CACHE_FRESH_FILES = "php_admin_value[opcache.file_update_protection] = 0";

    @TempDir
    Path site;

    @BeforeEach
    void scripts() throws IOException {
        assumeTrue(Backends.hasMaster(), "needs a master");
        Files.writeString(site.resolve("compiled.php"), "<?php function jfpm_compiled_here() {} echo getmypid();\n");
        // whether another script is in this worker's opcache, then this worker's pid
        Files.writeString(site.resolve("cached.php"), """
                <?php
                $scripts = opcache_get_status(true)['scripts'] ?? [];
                echo isset($scripts[$_GET['path']]) ? 'cached' : 'not cached', ' ', getmypid();
                """);
    }

    @Test
    void aScriptCompiledByOneChildIsInTheOpcacheOfTheNext() throws Exception {
        // pm.max_requests = 1: each request is served by a different child
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", "pm.max_requests = 1\n" + CACHE_FRESH_FILES))) {
            String[] answer = compileThenAsk(jfpm.listenSocket(), jfpm.listenSocket());
            assertThat(answer[1]).as("served by another child").isNotEqualTo(answer[0]);
            assertThat(answer[2]).as(jfpm.logText()).isEqualTo("cached");
        }
    }

    @Test
    void workersOfTheirOwnCompileForThemselves() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm has no jfpm.shared_opcache");
        String lines = "pm.max_requests = 1\njfpm.shared_opcache = no\n" + CACHE_FRESH_FILES;
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", lines))) {
            String[] answer = compileThenAsk(jfpm.listenSocket(), jfpm.listenSocket());
            assertThat(answer[1]).isNotEqualTo(answer[0]);
            assertThat(answer[2]).as(jfpm.logText()).isEqualTo("not cached");
        }
    }

    /** Better than php-fpm, whose pools share the master's one opcache (php-src issues 11723, 15499). */
    @Test
    void onePoolCannotSeeAnotherPoolsScripts() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm's pools share one opcache");
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", CACHE_FRESH_FILES) + pool(dir, "other", CACHE_FRESH_FILES))) {
            Path other = jfpm.listenSocket().resolveSibling("other.sock");
            String[] sameP = compileThenAsk(jfpm.listenSocket(), jfpm.listenSocket());
            assertThat(sameP[2]).as("the pool's own child sees it\n" + jfpm.logText()).isEqualTo("cached");
            String[] across = compileThenAsk(jfpm.listenSocket(), other);
            assertThat(across[2]).as("the other pool's child").isEqualTo("not cached");
        }
    }

    /**
     * The status page's pids are the children serving (php-cgi's parent is not a worker), a
     * request learns its own pid among them, and a child killed with SIGKILL is replaced.
     */
    @Test
    void statusNamesTheChildrenAndAKilledChildIsReplaced() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's process tree");
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", "pm.status_path = /status\n" + CACHE_FRESH_FILES))) {
            List<Long> children = jfpm.awaitWorkers(2, Duration.ofSeconds(10));
            assertThat(children).hasSize(2);
            long parent = ProcessHandle.of(children.getFirst()).orElseThrow().parent().orElseThrow().pid();
            assertThat(ProcessHandle.of(parent).orElseThrow().parent().orElseThrow().pid())
                    .as("php-cgi's parent is the master's child").isEqualTo(jfpm.pid());
            String status = status(jfpm.listenSocket());
            for (long pid : children) {
                assertThat(status).contains("pid:                  " + pid + "\n");
            }
            assertThat(status).doesNotContain("pid:                  " + parent + "\n");
            long served = Long.parseLong(get(jfpm.listenSocket(), "compiled.php", ""));
            assertThat(children).contains(served);

            Pids.signal(served, "KILL");
            assertThat(Pids.awaitGone(List.of(served), Duration.ofSeconds(5))).isEmpty();
            jfpm.awaitLog(".*WARNING: \\[pool www\\] child " + served + " exited unexpectedly after .*", Duration.ofSeconds(10));
            jfpm.awaitLog(".*NOTICE: \\[pool www\\] child \\d+ started$", Duration.ofSeconds(10));
            for (int i = 0; i < 4; i++) {
                assertThat(get(jfpm.listenSocket(), "compiled.php", "")).isNotEqualTo(Long.toString(served));
            }
            String after = status(jfpm.listenSocket());
            assertThat(after).contains("total processes:      2\n").doesNotContain("pid:                  " + served + "\n");
        }
    }

    /** php-cgi's parent killed: its children go, a new parent forks new ones, requests go on. */
    @Test
    void aKilledParentIsReplacedWithItsChildren() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's process tree");
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", CACHE_FRESH_FILES))) {
            List<Long> children = jfpm.awaitWorkers(2, Duration.ofSeconds(10));
            long parent = ProcessHandle.of(children.getFirst()).orElseThrow().parent().orElseThrow().pid();
            Pids.signal(parent, "KILL");
            jfpm.awaitLog(".*WARNING: \\[pool www\\] php-cgi parent " + parent + " exited on signal 9 \\(SIGKILL\\): its "
                    + "children stop, a new parent starts$", Duration.ofSeconds(10));
            List<Long> family = new java.util.ArrayList<>(children);
            family.add(parent);
            assertThat(Pids.awaitGone(family, Duration.ofSeconds(10))).as("the old family").isEmpty();
            jfpm.awaitLogs("NOTICE: \\[pool www\\] child \\d+ started", 2, Duration.ofSeconds(10));
            for (int i = 0; i < 4; i++) {
                long pid = Long.parseLong(get(jfpm.listenSocket(), "compiled.php", ""));
                assertThat(family).doesNotContain(pid);
            }
            List<Long> now = jfpm.awaitWorkers(2, Duration.ofSeconds(10));
            assertThat(now).hasSize(2);
            assertThat(ProcessHandle.of(now.getFirst()).orElseThrow().parent().orElseThrow().pid()).isNotEqualTo(parent);
        }
    }

    /** A reload starts a new parent for the new pool; the old parent goes with its last child. */
    @Test
    void aReloadReplacesTheParentAndTheOldFamilyLeaves() throws Exception {
        assumeFalse(Jfpm.isReference(), "jfpm's process tree");
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", CACHE_FRESH_FILES))) {
            List<Long> children = jfpm.awaitWorkers(2, Duration.ofSeconds(10));
            long parent = ProcessHandle.of(children.getFirst()).orElseThrow().parent().orElseThrow().pid();
            jfpm.signal("USR2");
            jfpm.awaitLogs(".*NOTICE: ready to handle connections$", 2, Duration.ofSeconds(15));
            List<Long> family = new java.util.ArrayList<>(children);
            family.add(parent);
            assertThat(Pids.awaitGone(family, Duration.ofSeconds(10))).as("the old family\n" + jfpm.logText()).isEmpty();
            long served = Long.parseLong(get(jfpm.listenSocket(), "compiled.php", ""));
            assertThat(family).doesNotContain(served);
            assertThat(jfpm.awaitWorkers(2, Duration.ofSeconds(10))).hasSize(2).contains(served);
        }
    }

    /** php-cgi's parent forwards its SIGTERM to its group: a SIGKILLed master leaves no process behind. */
    @Test
    void aMasterKilledWithSigkillTakesTheParentAndChildrenWithIt() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm8.2 leaves orphans: a jfpm-only guarantee");
        try (Jfpm jfpm = Jfpm.start(dir -> conf(dir, "www", CACHE_FRESH_FILES))) {
            List<Long> children = jfpm.awaitWorkers(2, Duration.ofSeconds(10));
            long parent = ProcessHandle.of(children.getFirst()).orElseThrow().parent().orElseThrow().pid();
            jfpm.signal("KILL");
            assertThat(jfpm.awaitExit(Duration.ofSeconds(10))).isPresent();
            List<Long> family = new java.util.ArrayList<>(children);
            family.add(parent);
            assertThat(Pids.awaitGone(family, Duration.ofSeconds(10))).as("still running").isEmpty();
            // the JVM's attach socket, which only its own exit removes
            Files.deleteIfExists(Path.of("/tmp/.java_pid" + jfpm.pid()));
        }
    }

    /** Compiles compiled.php through {@code first}, then asks through {@code second}: {pid, pid, cached?}. */
    private String[] compileThenAsk(Path first, Path second) throws IOException {
        String compiler = get(first, "compiled.php", "");
        String[] asked = get(second, "cached.php", "path=" + site.resolve("compiled.php")).split(" ");
        String verdict = asked.length == 3 ? asked[0] + " " + asked[1] : asked[0];
        return new String[] {compiler, asked[asked.length - 1], verdict};
    }

    private String get(Path socket, String script, String query) throws IOException {
        try (FcgiClient client = FcgiClient.connect(socket)) {
            FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_FILENAME",
                    site.resolve(script).toString(), "SCRIPT_NAME", "/" + script, "QUERY_STRING", query), new byte[0]);
            return new String(r.body(), StandardCharsets.UTF_8).strip();
        }
    }

    private static String status(Path socket) throws IOException {
        try (FcgiClient client = FcgiClient.connect(socket)) {
            FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/status",
                    "SCRIPT_FILENAME", "/status", "QUERY_STRING", "full"), new byte[0]);
            return new String(r.body(), StandardCharsets.UTF_8);
        }
    }

    private static String conf(Path dir, String pool, String lines) {
        return """
                [global]
                pid = %1$s/jfpm.pid
                error_log = %1$s/jfpm.log
                log_level = notice
                daemonize = no

                """.formatted(dir) + pool(dir, pool, lines);
    }

    private static String pool(Path dir, String pool, String lines) {
        return """
                [%2$s]
                listen = %1$s/%2$s.sock
                pm = static
                pm.max_children = 2
                %3$s
                """.formatted(dir, pool, lines);
    }
}
