package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The jfpm master under test, run as a user runs php-fpm: {@code bin/jfpm -F -O -R -y FILE}.
 *
 * <p>Its stderr (php-fpm's log format) is collected and can be awaited. Every descendant it
 * ever had is remembered, so that {@link #close()} can prove none survived the master, and
 * kill any that did (they are this fixture's own, found by pid).
 *
 * <p>With {@code -De2e.backend=php-fpm} the same fixture runs Debian's php-fpm8.2 instead:
 * that is how the tests themselves are checked against the behaviour jfpm copies.
 */
public final class Jfpm implements FastCgiBackend {

    /** The workers: php-cgi for jfpm, php-fpm8.2 children for the reference. */
    private static final Pattern WORKER_COMMAND = Pattern.compile("php-cgi.*|php-fpm.*");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final ScratchDir dir;
    private final Path conf;
    private final Process process;
    private final LogLines stderr;
    private final LogLines stdout;
    private final Map<Long, ProcessHandle> family = new ConcurrentHashMap<>();
    private final Set<Long> workersEverSeen = ConcurrentHashMap.newKeySet();

    private Jfpm(ScratchDir dir, Path conf, Process process) {
        this.dir = dir;
        this.conf = conf;
        this.process = process;
        this.stderr = LogLines.drain(process.getErrorStream(), "jfpm-stderr-" + process.pid());
        this.stdout = LogLines.drain(process.getInputStream(), "jfpm-stdout-" + process.pid());
        Thread.ofPlatform().daemon().name("jfpm-family-" + process.pid()).start(this::watchFamily);
    }

    // ---------------------------------------------------------------- starting

    /** A simple pool: [global] pid/error_log in the temp dir, pool "www" on a unix socket there. */
    public static Pool pool() {
        return new Pool();
    }

    /** The configuration the tests usually need, built from a few choices. */
    public static final class Pool {
        private int maxChildren = 4;
        private final List<String> extraPoolLines = new ArrayList<>();
        private final List<String> extraGlobalLines = new ArrayList<>();

        public Pool maxChildren(int n) {
            this.maxChildren = n;
            return this;
        }

        /** A line for the [www] section, e.g. {@code php_value[memory_limit] = 64M}. */
        public Pool line(String line) {
            extraPoolLines.add(line);
            return this;
        }

        /**
         * One php-cgi per worker ({@code jfpm.shared_opcache = no}), for tests of php-fpm's process
         * counts; nothing for php-fpm itself, which would refuse the directive.
         */
        public Pool separateWorkers() {
            if (!isReference()) {
                extraPoolLines.add("jfpm.shared_opcache = no");
            }
            return this;
        }

        /** A line for the [global] section. */
        public Pool globalLine(String line) {
            extraGlobalLines.add(line);
            return this;
        }

        public String render(Path dir) {
            return """
                    ; written by the jfpm end-to-end tests
                    [global]
                    pid = %1$s/jfpm.pid
                    error_log = %1$s/jfpm.log
                    log_level = notice
                    daemonize = no
                    %2$s

                    [www]
                    listen = %1$s/www.sock
                    pm = static
                    pm.max_children = %3$d
                    %4$s
                    """.formatted(dir, String.join("\n", extraGlobalLines), maxChildren,
                    String.join("\n", extraPoolLines));
        }

        public Jfpm start() {
            return Jfpm.start(this::render);
        }
    }

    /**
     * Starts from a configuration text written by {@code confForDir} given the fixture's temp
     * dir, and waits for {@code ready to handle connections}. Fails with the captured log
     * when the master exits first or is not ready in time.
     */
    public static Jfpm start(Function<Path, String> confForDir) {
        return start(confForDir, dir -> Map.of());
    }

    /**
     * As {@link #start(Function)}, with environment variables for the master (given the
     * temp dir), for configurations that use {@code ${VAR}}.
     */
    public static Jfpm start(Function<Path, String> confForDir, Function<Path, Map<String, String>> envForDir) {
        return start(confForDir, envForDir, List.of("-F", "-O", "-R"));
    }

    /**
     * Without {@code -O}: stderr is a pipe, not a terminal, so the master logs to its
     * error_log file, copying only its start-up lines to stderr (php-fpm's systemd case).
     */
    public static Jfpm startWithoutForcedStderr(Function<Path, String> confForDir) {
        return start(confForDir, dir -> Map.of(), List.of("-F", "-R"));
    }

    private static Jfpm start(Function<Path, String> confForDir, Function<Path, Map<String, String>> envForDir,
                              List<String> flags) {
        ScratchDir dir = ScratchDir.create("jfpm-e2e-");
        Jfpm jfpm = null;
        try {
            Path conf = dir.write("php-fpm.conf", confForDir.apply(dir.path()));
            List<String> command = new ArrayList<>(List.of(executable().toString()));
            command.addAll(flags);
            command.addAll(List.of("-y", conf.toString()));
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.path().toFile());
            pb.environment().putAll(envForDir.apply(dir.path()));
            Process process = pb.start();
            jfpm = new Jfpm(dir, conf, process);
            jfpm.awaitReady();
            return jfpm;
        } catch (IOException e) {
            dir.close();
            throw new AssertionError("cannot start " + executable(), e);
        } catch (RuntimeException | Error e) {
            if (jfpm != null) {
                try {
                    jfpm.close();
                } catch (RuntimeException | Error suppressed) {
                    e.addSuppressed(suppressed);
                }
            } else {
                dir.close();
            }
            throw e;
        }
    }

    private void awaitReady() {
        // php-fpm at log_level = debug puts "pid N, fpm_event_loop(), line N: " before the message
        if (stderr.await("NOTICE: (pid .*: )?ready to handle connections", READY_TIMEOUT).isPresent()) {
            return;
        }
        // stderr ended early: the master is on its way out; let it finish to report its status
        awaitExit(Duration.ofSeconds(5));
        if (!process.isAlive()) {
            throw new AssertionError("the master exited with " + process.exitValue()
                    + " before 'ready to handle connections'; its log:\n" + logText());
        }
        throw new AssertionError("no 'ready to handle connections' within " + READY_TIMEOUT
                + "; its log:\n" + logText());
    }

    /**
     * The program under test: {@code bin/jfpm}, or {@code php-fpm8.2} when the system property
     * {@code e2e.backend=php-fpm} asks for the reference. Fails clearly while jfpm is not built.
     */
    public static Path executable() {
        if ("php-fpm".equals(System.getProperty("e2e.backend"))) {
            return Path.of(System.getProperty("e2e.php-fpm", "/usr/sbin/php-fpm8.2"));
        }
        Path launcher = ProjectFiles.launcher();
        if (!Files.isExecutable(launcher)) {
            throw new AssertionError("jfpm's launcher " + launcher + " does not exist or is not executable"
                    + " (the master is not built yet?)");
        }
        Path jar = ProjectFiles.root().resolve("target/jfpm.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " does not exist: run `mvn package` first");
        }
        return launcher;
    }

    /** True when the tests run against the php-fpm8.2 reference rather than jfpm. */
    public static boolean isReference() {
        return "php-fpm".equals(System.getProperty("e2e.backend"));
    }

    // ---------------------------------------------------------------- one-shot runs

    /** What a short run (-t, -v, -h, ...) printed and how it exited. */
    public record Run(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs the program with these arguments to the end (killed after the timeout). */
    public static Run run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            LogLines out = LogLines.drain(p.getInputStream(), "run-stdout");
            LogLines err = LogLines.drain(p.getErrorStream(), "run-stderr");
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(command + " did not end within " + timeout
                        + "\n--- stdout\n" + out.text() + "\n--- stderr\n" + err.text());
            }
            out.awaitEnd(Duration.ofSeconds(5));
            err.awaitEnd(Duration.ofSeconds(5));
            return new Run(p.exitValue(), out.text(), err.text());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    // ---------------------------------------------------------------- observing

    @Override
    public long pid() {
        return process.pid();
    }

    public Path dir() {
        return dir.path();
    }

    public Path confFile() {
        return conf;
    }

    /** The pid file of {@link Pool} configurations. */
    public Path pidFile() {
        return dir.resolve("jfpm.pid");
    }

    /** The listen socket of {@link Pool} configurations. */
    public Path listenSocket() {
        return dir.resolve("www.sock");
    }

    @Override
    public String nginxAddress() {
        return "unix:" + listenSocket();
    }

    public LogLines log() {
        return stderr;
    }

    public String logText() {
        return "--- stderr of " + executable().getFileName() + " pid " + process.pid() + "\n" + stderr.text()
                + (stdout.lines().isEmpty() ? "" : "\n--- stdout\n" + stdout.text());
    }

    /** Waits for a log line matching the regex and returns it; fails with the whole log if none comes. */
    public String awaitLog(String regex, Duration timeout) {
        return awaitLogs(regex, 1, timeout).getFirst();
    }

    /** Waits for {@code count} log lines matching the regex and returns them; fails with the whole log if fewer come. */
    public List<String> awaitLogs(String regex, int count, Duration timeout) {
        List<String> matched = stderr.awaitMatches(regex, count, timeout);
        if (matched.size() < count) {
            throw new AssertionError(matched.size() + " of " + count + " log lines matching /" + regex + "/ within "
                    + timeout + "\n" + logText());
        }
        return matched;
    }

    @Override
    public String describe() {
        return logText();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * The worker processes: descendants running php-cgi (php-fpm for the reference) that have
     * no such descendant themselves, so that a php-cgi supervisor forking its own children, if
     * jfpm ever starts workers that way, counts its children and not itself.
     */
    @Override
    public List<Long> workerPids() {
        List<ProcessHandle> phps = process.descendants()
                .filter(p -> WORKER_COMMAND.matcher(Pids.commandName(p)).matches())
                .toList();
        List<Long> workers = phps.stream()
                .filter(p -> p.descendants().noneMatch(c -> WORKER_COMMAND.matcher(Pids.commandName(c)).matches()))
                .filter(p -> Pids.isRunning(p.pid()))
                .map(ProcessHandle::pid)
                .sorted()
                .toList();
        workersEverSeen.addAll(workers);
        return workers;
    }

    /** Sends a signal by name (TERM, QUIT, INT, USR1, USR2, HUP, KILL) to the master. */
    public void signal(String name) {
        Pids.signal(process.pid(), name);
    }

    /** Waits for the master to exit; empty if it still runs after the timeout. */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stderr.awaitEnd(Duration.ofSeconds(2));
                return OptionalInt.of(process.exitValue());
            }
            return OptionalInt.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        }
    }

    /** SIGTERM, then SIGKILL if the master is still there after the grace period; returns the exit code. */
    public int stop() {
        if (process.isAlive()) {
            snapshotFamily();
            signal("TERM");
            if (awaitExit(STOP_TIMEOUT).isEmpty()) {
                process.destroyForcibly();
                awaitExit(Duration.ofSeconds(5));
            }
        }
        return process.exitValue();
    }

    /**
     * Stops the master, then checks that every process it ever had is gone (waiting a few
     * seconds), kills any survivor by pid, deletes the temp dir, and fails if there was one.
     */
    @Override
    public void close() {
        List<Long> survivors;
        try {
            stop();
            survivors = Pids.awaitGone(family.keySet(), Duration.ofSeconds(5));
            for (long pid : survivors) {
                ProcessHandle h = family.get(pid);
                if (h != null) {
                    h.destroyForcibly();
                }
            }
            Pids.awaitGone(survivors, Duration.ofSeconds(5));
        } finally {
            dir.close();
        }
        if (!survivors.isEmpty()) {
            Map<Long, String> names = new HashMap<>();
            survivors.forEach(pid -> names.put(pid, family.get(pid).info().commandLine().orElse("?")));
            throw new AssertionError("processes of the master outlived it (now killed): " + names + "\n" + logText());
        }
    }

    private void watchFamily() {
        while (process.isAlive()) {
            snapshotFamily();
            Pids.sleep(Duration.ofMillis(200));
        }
    }

    private void snapshotFamily() {
        process.descendants().forEach(p -> family.putIfAbsent(p.pid(), p));
    }

    /** Every worker pid ever returned by {@link #workerPids()}. */
    public Set<Long> workersEverSeen() {
        return Set.copyOf(workersEverSeen);
    }
}
