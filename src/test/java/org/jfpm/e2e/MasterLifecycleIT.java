package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.e2e.support.SlowPhpCgi;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Start, stop and death of the master, as a service manager sees them. */
class MasterLifecycleIT {
    /** The file in a runtime dir whose lock its live master holds. */
    private static final String RUNTIME_LOCK = "master.lock";

    static final String TIME = "^\\[\\d{2}-[A-Z][a-z]{2}-\\d{4} \\d{2}:\\d{2}:\\d{2}\\] ";

    @BeforeEach
    void needsMaster() {
        assumeTrue(Backends.hasMaster(), "needs jfpm or php-fpm, not bare php-cgi");
    }

    @Test
    void startsInPhpFpmsWordsAndWritesThePidFile() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            jfpm.awaitLog(TIME + "NOTICE: fpm is running, pid " + jfpm.pid() + "$", Duration.ZERO);
            jfpm.awaitLog(TIME + "NOTICE: ready to handle connections$", Duration.ZERO);
            // php-fpm writes the decimal pid without a newline
            assertThat(Files.readString(jfpm.pidFile())).isEqualTo(Long.toString(jfpm.pid()));
            assertThat(jfpm.listenSocket()).exists();
            assertThat(jfpm.awaitWorkers(2, Duration.ofSeconds(5))).hasSize(2);
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"TERM, Terminating ...", "INT, Terminating ...", "QUIT, Finishing ..."})
    void stopSignalEndsCleanly(String signal, String announcement) {
        try (Jfpm jfpm = Jfpm.pool().start()) {
            List<Long> workers = jfpm.awaitWorkers(4, Duration.ofSeconds(5));
            assertThat(workers).hasSize(4);
            assertThat(jfpm.pidFile()).exists();
            assertThat(jfpm.listenSocket()).exists();

            jfpm.signal(signal);

            OptionalInt exit = jfpm.awaitExit(Duration.ofSeconds(15));
            assertThat(exit).as("exit status after SIG%s\n%s", signal, jfpm.logText()).hasValue(0);
            jfpm.awaitLog(TIME + "NOTICE: " + java.util.regex.Pattern.quote(announcement) + "$", Duration.ZERO);
            jfpm.awaitLog(TIME + "NOTICE: exiting, bye-bye!$", Duration.ZERO);
            assertThat(jfpm.pidFile()).as("pid file after SIG%s", signal).doesNotExist();
            assertThat(jfpm.listenSocket()).as("listen socket after SIG%s", signal).doesNotExist();
            assertThat(Pids.awaitGone(workers, Duration.ofSeconds(5))).as("workers still running").isEmpty();
        }
    }

    /**
     * Idle workers leave as soon as the master stops gracefully: each exits by itself
     * (php-cgi waits on its kept connection through a SIGTERM, so the master closes it), none
     * waits for the SIGKILL that follows a second later.
     */
    @Test
    void idleWorkersExitWithoutSigkillOnAGracefulStop() {
        try (Jfpm jfpm = Jfpm.pool().globalLine("log_level = debug").start()) {
            jfpm.awaitLogs("DEBUG: .*\\[pool www\\] child \\d+ started$", 4, Duration.ofSeconds(5));
            jfpm.signal("QUIT");
            assertThat(jfpm.awaitExit(Duration.ofSeconds(15))).as(jfpm.logText()).hasValue(0);
            assertThat(jfpm.awaitLogs("DEBUG: .*\\[pool www\\] child \\d+ exited ", 4, Duration.ofSeconds(1)))
                    .as(jfpm.logText()).noneMatch(l -> l.contains("SIGKILL"));
        }
    }

    /**
     * A fast stop ends the workers at once, a busy one in the middle of its script: php-fpm's
     * children die of the SIGTERM (they leave it at its default action), so the script
     * never reaches its next line. php-cgi would catch a SIGTERM and run the script on.
     */
    @Test
    void aFastStopEndsABusyWorkersScriptAtOnce(@TempDir Path tmp) throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
            Path started = tmp.resolve("started");
            Path done = tmp.resolve("done");
            Thread request = Thread.ofPlatform().start(() -> {
                try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
                    client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_FILENAME",
                            ProjectFiles.phpDocroot().resolve("late.php").toString(), "QUERY_STRING",
                            "ms=700&started=" + started + "&done=" + done), new byte[0]);
                } catch (java.io.IOException cut) {
                    // the worker was killed mid-request: that is the point
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.exists(started) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(started).as("the script started").exists();

            jfpm.signal("TERM");
            assertThat(jfpm.awaitExit(Duration.ofSeconds(15))).as(jfpm.logText()).hasValue(0);
            request.join(Duration.ofSeconds(20));
            assertThat(done).as("the script was ended where it was").doesNotExist();
        }
    }

    /**
     * "ready to handle connections" means a request finds a worker listening: php-fpm's
     * children are ready within milliseconds of their fork, a php-cgi takes longer, so jfpm
     * says it once its initial workers listen.
     */
    @Test
    void readyOnceTheInitialWorkersListen(@TempDir Path bin) throws Exception {
        assumeFalse(Jfpm.isReference(), "JFPM_PHP_CGI is jfpm's");
        Map<String, String> env = SlowPhpCgi.in(bin, Duration.ofMillis(1500));
        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(2).render(dir), dir -> env)) {
            // no wait: when ready is said, both workers are running php-cgi (not the slow wrapper)
            assertThat(jfpm.workerPids()).as(jfpm.logText()).hasSize(2)
                    .allMatch(pid -> Pids.commandName(ProcessHandle.of(pid).orElseThrow()).startsWith("php-cgi"));
        }
    }

    @Test
    void masterKilledWithSigkillLeavesNoWorker() throws Exception {
        // php-fpm's children outlive a SIGKILLed master; jfpm promises they do not
        assumeFalse(Jfpm.isReference(), "php-fpm8.2 leaves orphans: a jfpm-only guarantee");
        try (Jfpm jfpm = Jfpm.pool().start()) {
            List<Long> workers = jfpm.awaitWorkers(4, Duration.ofSeconds(5));
            assertThat(workers).hasSize(4);
            Path runtime = runtimeDir(workers);

            jfpm.signal("KILL");
            try {
                assertThat(jfpm.awaitExit(Duration.ofSeconds(5))).as("master gone").isPresent();
                assertThat(Pids.awaitGone(workers, Duration.ofSeconds(5)))
                        .as("workers still running 5 s after the master was SIGKILLed").isEmpty();
                assertThat(runtime).as("a SIGKILLed master cannot remove its runtime dir").isDirectory();
                try (Jfpm next = Jfpm.pool().maxChildren(1).start()) {
                    assertThat(runtime).as("the next start removes it\n" + next.logText()).doesNotExist();
                }
            } finally {
                ScratchDir.adopt(runtime).close();
                // the JVM's attach socket, which only its own exit removes
                Files.deleteIfExists(Path.of("/tmp/.java_pid" + jfpm.pid()));
            }
        }
    }

    /**
     * A master that cannot see another's pid (its own pid namespace: a container, a sandbox,
     * a harness with unshare) must not take that master's runtime dir for a SIGKILLed one's:
     * the dir is kept while its master holds the lock in it, whatever its pid looks like.
     */
    @Test
    void aSecondMasterInAnotherPidNamespaceLeavesTheFirstsRuntimeDirAlone() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm keeps no runtime dir");
        assumeTrue(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true").start().waitFor() == 0,
                "unshare --pid (needs root or user namespaces)");
        try (Jfpm first = Jfpm.pool().maxChildren(1).start();
             ScratchDir second = ScratchDir.create("jfpm-e2e-ns-")) {
            Path runtime = runtimeDir(first.awaitWorkers(1, Duration.ofSeconds(5)));
            Path conf = second.write("php-fpm.conf", Files.readString(first.confFile())
                    .replace(first.dir().toString(), second.path().toString()));
            Path out = second.resolve("output.log");
            Process unshare = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                    Jfpm.executable().toString(), "-F", "-O", "-R", "-y", conf.toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            Path otherRuntime = null;
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!(Files.exists(out) && Files.readString(out).contains("ready to handle connections"))
                        && unshare.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(Files.readString(out)).as("the second master's log").contains("ready to handle connections");
                otherRuntime = runtimeDir(unshare.descendants().filter(p -> p.info().command()
                        .map(c -> c.contains("php-cgi")).orElse(false)).map(ProcessHandle::pid).toList());
                assertThat(runtime).as("the first master's runtime dir").isDirectory();
                try (Stream<Path> files = Files.walk(runtime)) {
                    assertThat(files.map(f -> f.getFileName().toString())).as("what the first master's workers use")
                            .contains(RUNTIME_LOCK, "prelude.php");
                }
                assertThat(first.isAlive()).isTrue();
            } finally {
                // the second master (unshare's child) is stopped as a user would, and removes its own dir
                unshare.children().forEach(ProcessHandle::destroy);
                if (!unshare.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    unshare.destroyForcibly(); // --kill-child: the master goes with it
                }
                if (otherRuntime != null) {
                    ScratchDir.adopt(otherRuntime).close();
                }
            }
        }
    }

    /**
     * Something else removes the runtime dir while the master runs (a temp-dir cleaner):
     * the master puts back the dir, the socket dir, the prelude and the fpm_get_status()
     * socket and says so, so that a replacement worker can bind, every request finds the
     * prelude again and fpm_get_status() answers.
     */
    @Test
    void aRemovedRuntimeDirIsRecreatedAndServingGoesOn() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm keeps no runtime dir");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).start()) {
            List<Long> workers = jfpm.awaitWorkers(1, Duration.ofSeconds(5));
            Path runtime = runtimeDir(workers);
            ScratchDir.adopt(runtime).close();
            jfpm.awaitLog("WARNING: \\[pool www\\] the worker prelude .* was removed by another process: recreated",
                    Duration.ofSeconds(10));
            assertThat(jfpm.logText()).contains("WARNING: the runtime directory " + runtime
                    + " was removed by another process: recreated");
            Pids.signal(workers.getFirst(), "KILL");
            assertThat(Pids.awaitGone(workers, Duration.ofSeconds(5))).isEmpty();
            List<Long> replaced = jfpm.awaitWorkers(1, Duration.ofSeconds(10));
            assertThat(replaced).hasSize(1).doesNotContainAnyElementsOf(workers);
            try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
                FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_FILENAME",
                        ProjectFiles.phpDocroot().resolve("echo.php").toString(), "QUERY_STRING", "n=1"), new byte[0]);
                assertThat(r.bodyText()).as(jfpm.logText()).contains("get.n=1");
                FcgiClient.Response status = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_FILENAME",
                        ProjectFiles.phpDocroot().resolve("fpmstatus.php").toString()), new byte[0]);
                assertThat(status.bodyText()).as("fpm_get_status() after its socket was bound again\n"
                        + jfpm.logText()).startsWith("{").contains("\"keys\"");
            }
        }
    }

    /** Under systemd's RuntimeDirectory= the workers' sockets are in it: systemd removes it at stop, however the master ended. */
    @Test
    void workerSocketsInSystemdsRuntimeDirectory() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm's children share its listening socket");
        try (ScratchDir run = ScratchDir.create("runtime-directory")) {
            try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(1).render(dir),
                    dir -> Map.of("RUNTIME_DIRECTORY", run.path().toString()))) {
                Path runtime = runtimeDir(jfpm.awaitWorkers(1, Duration.ofSeconds(5)));
                assertThat(runtime.getParent()).isEqualTo(run.path());
                assertThat(runtime.getFileName().toString()).startsWith("jfpm-" + jfpm.pid() + "-");
            }
            try (Stream<Path> left = Files.list(run.path())) {
                assertThat(left).as("removed at a clean stop").isEmpty();
            }
        }
    }

    /** The master's runtime dir, from a worker's {@code -b /tmp/jfpm-N/poolK/M.sock}. */
    private static Path runtimeDir(List<Long> workers) {
        assertThat(workers).isNotEmpty();
        List<String> args = ProcessHandle.of(workers.getFirst()).flatMap(p -> p.info().arguments())
                .map(List::of).orElseThrow(() -> new AssertionError("no command line for worker " + workers.getFirst()));
        Path dir = Path.of(args.get(args.indexOf("-b") + 1)).getParent().getParent();
        assertThat(dir.getFileName().toString()).as("runtime dir " + dir).startsWith("jfpm-");
        return dir;
    }
}
