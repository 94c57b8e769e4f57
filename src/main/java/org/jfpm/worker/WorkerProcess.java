package org.jfpm.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One running php-cgi and the master's kept FastCGI connection to it.
 *
 * <p>Start-up: the exec chain of {@link WorkerCommand} is started from the
 * spawner thread, then the master connects to the worker's private socket as
 * soon as php-cgi listens on it. If php-cgi exits first, or does not listen
 * within the start timeout, the start fails with the reason and the process
 * is killed.
 */
public final class WorkerProcess {

    /**
     * Every worker is started from this one platform thread, which lives as long as
     * the master: PR_SET_PDEATHSIG fires when the forking thread dies, not the process.
     */
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("jfpm-spawner").daemon(true).unstarted(r));

    static final long START_TIMEOUT_NANOS = 10_000_000_000L;

    private final long pid;
    /** The php-cgi the master started, or null for a child php-cgi's parent forked (its exit is seen by pidfd). */
    private final Process process;
    private final CompletableFuture<?> exit;
    private final SocketChannel channel;
    /** The worker's own socket, removed with the connection; null for a shared parent's child. */
    private final Path socket;
    private final long startNanos;
    private final long startMillis;

    private WorkerProcess(Spawned spawned, SocketChannel channel) {
        this.pid = spawned.pid();
        this.process = spawned.process;
        this.exit = process.onExit();
        this.channel = channel;
        this.socket = spawned.socket;
        this.startNanos = spawned.startNanos;
        this.startMillis = spawned.startMillis;
    }

    /** A child of a shared parent ({@link SharedParent}), connected and asked its pid. */
    WorkerProcess(long pid, SocketChannel channel, CompletableFuture<?> exit, long startNanos, long startMillis) {
        this.pid = pid;
        this.process = null;
        this.exit = exit;
        this.channel = channel;
        this.socket = null;
        this.startNanos = startNanos;
        this.startMillis = startMillis;
    }

    /** Thrown when a worker could not be started; the message says which step failed and why. */
    public static final class StartException extends Exception {
        public StartException(String message) {
            super(message);
        }
    }

    /**
     * Starts the exec chain ending in php-cgi listening on {@code socket}; the returned
     * process is forked but not yet listening.
     */
    public static Spawned spawn(WorkerSpec spec, Path socket) throws StartException, InterruptedException {
        WorkerCommand.Built built = WorkerCommand.build(spec, socket, System.getenv());
        ProcessBuilder pb = builder(built);
        if (!spec.catchOutput()) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD); // stderr stays a pipe: it says why a start failed
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new StartException("cannot remove the old worker socket " + socket + ": " + e.getMessage());
        }
        long startNanos = System.nanoTime();
        long startMillis = System.currentTimeMillis();
        Process process = launch(pb, built);
        StartupErrors errors = spec.catchOutput() ? null : StartupErrors.watch(process, built.steps());
        if (spec.catchOutput()) {
            WorkerOutput.capture(spec, process);
        }
        return new Spawned(process, socket, errors, startNanos, startMillis);
    }

    /** Starts {@code pb} from the spawner thread (see {@link #SPAWNER}). */
    static Process launch(ProcessBuilder pb, WorkerCommand.Built built) throws StartException, InterruptedException {
        java.util.concurrent.Future<Process> started = SPAWNER.submit(pb::start);
        try {
            return started.get();
        } catch (InterruptedException e) {
            // the start goes on without us: whatever it started must not outlive this call
            try {
                started.get().destroyForcibly();
            } catch (ExecutionException ignored) {
                // nothing was started
            }
            throw e;
        } catch (ExecutionException e) {
            throw new StartException("cannot execute " + built.command().getFirst() + ": " + e.getCause().getMessage());
        }
    }

    /**
     * A php-cgi started and not yet connected to. Its pool counts it from here, as php-fpm
     * counts a child from its fork: Idle on the status page, though no request reaches it
     * before it listens.
     */
    public static final class Spawned {
        private final Process process;
        private final Path socket;
        private final StartupErrors errors;
        private final long startNanos;
        private final long startMillis;

        private Spawned(Process process, Path socket, StartupErrors errors, long startNanos, long startMillis) {
            this.process = process;
            this.socket = socket;
            this.errors = errors;
            this.startNanos = startNanos;
            this.startMillis = startMillis;
        }

        public long pid() {
            return process.pid();
        }

        public long startMillis() {
            return startMillis;
        }

        /**
         * Waits for php-cgi to listen and connects to it; if it exits first or does not listen
         * within the start timeout, the start fails with the reason and the process is killed.
         */
        public WorkerProcess connect() throws StartException, InterruptedException {
            try {
                return new WorkerProcess(this, WorkerProcess.connect(process, socket, startNanos, errors));
            } catch (StartException | InterruptedException | RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
        }
    }

    /**
     * Starts the pool's exec chain once, ending in {@code php-cgi -i}; {@link InfoRun#output}
     * returns what php-cgi printed. The master runs it for each pool before it binds anything:
     * a step that cannot work (a chroot without php-cgi inside, a limit the kernel refuses)
     * stops the start with the pool and the step named (as fpm_child_init in
     * sapi/fpm/fpm/fpm_children.c does), and the same output tells {@link Prelude} the pool's
     * settings, so one run of php-cgi does both.
     */
    static InfoRun startInfo(WorkerSpec spec) throws StartException {
        WorkerCommand.Built built = WorkerCommand.info(spec, System.getenv());
        ProcessBuilder pb = builder(built);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new StartException("cannot execute " + built.command().getFirst() + ": " + e.getMessage());
        }
        return new InfoRun(process, built, StartupErrors.watch(process, built.steps()));
    }

    /** A running {@code php-cgi -i} of {@link #startInfo}. */
    static final class InfoRun {
        private final Process process;
        private final WorkerCommand.Built built;
        private final StartupErrors errors;

        private InfoRun(Process process, WorkerCommand.Built built, StartupErrors errors) {
            this.process = process;
            this.built = built;
            this.errors = errors;
        }

        /** What php-cgi printed, once it has exited with status 0; else why it did not. */
        String output() throws StartException, InterruptedException {
            byte[] out;
            try (InputStream in = process.getInputStream()) {
                out = in.readNBytes(8 << 20);
            } catch (IOException e) {
                process.destroyForcibly();
                throw new StartException("cannot read what php-cgi -i printed: " + e.getMessage());
            }
            if (!process.waitFor(START_TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new StartException("'" + String.join(" ", built.command()) + "' did not end within 10 seconds");
            }
            if (process.exitValue() != 0) {
                throw new StartException(errors.explain(process.exitValue(), " (php-cgi -i)"));
            }
            return new String(out, StandardCharsets.UTF_8);
        }

        /** Ends php-cgi when its answer is no longer wanted. */
        void cancel() {
            process.destroyForcibly();
        }
    }

    /** The chain's command with exactly its environment, stdin from /dev/null. */
    static ProcessBuilder builder(WorkerCommand.Built built) {
        ProcessBuilder pb = new ProcessBuilder(built.command());
        pb.environment().clear();
        pb.environment().putAll(built.environment());
        return pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }

    static SocketChannel connect(Process process, Path socket, long startNanos, StartupErrors errors)
            throws StartException, InterruptedException {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
        long pause = 1;
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel ch = null;
                try {
                    ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    ch.connect(address);
                    return ch;
                } catch (IOException notYet) {
                    closeQuietly(ch);
                }
            }
            if (!process.isAlive()) {
                throw new StartException(errors == null
                        ? "php-cgi exited with code " + process.exitValue() + " before listening on " + socket
                        : errors.explain(process.exitValue(), " before listening on " + socket));
            }
            if (System.nanoTime() - startNanos > START_TIMEOUT_NANOS) {
                process.destroyForcibly();
                throw new StartException("php-cgi did not listen on " + socket + " within 10 seconds");
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 5); // the socket appears ~0.2 s after the exec: a stat costs less than waiting
        }
    }

    static void closeQuietly(SocketChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a channel that never connected
            }
        }
    }

    public long pid() {
        return pid;
    }

    /** Completes when the process has exited. */
    public CompletableFuture<?> onExit() {
        return exit;
    }

    /**
     * The exit value as the JDK reports it (128 + N for death by signal N), once exited;
     * empty for a shared parent's child, whose status php-cgi's parent reaps.
     */
    public OptionalInt exitValue() {
        return process == null ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    public SocketChannel channel() {
        return channel;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startMillis() {
        return startMillis;
    }

    /** Closes the master's connection and removes the socket; the process is signalled by its owner. */
    public void closeConnection() {
        closeQuietly(channel);
        if (socket == null) {
            return;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the runtime directory is removed at exit anyway
        }
    }

    /**
     * With catch_workers_output off, php-cgi's stderr is read and dropped, keeping
     * its last lines so that a worker failing to start can say why (for example
     * "Listening socket's path name is too long").
     */
    static final class StartupErrors {
        private static final int KEEP = 5;
        private final java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
        private final java.util.List<WorkerCommand.Step> steps;
        private volatile WorkerCommand.Step failed;
        private final Thread reader;

        private StartupErrors(InputStream stderr, long pid, java.util.List<WorkerCommand.Step> steps) {
            this.steps = steps;
            reader = Thread.ofVirtual().name("worker-" + pid + "-stderr").start(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (failed == null) {
                            failed = stepOf(line);
                        }
                        synchronized (last) {
                            if (last.size() == KEEP) {
                                last.removeFirst();
                            }
                            last.addLast(line.length() > 200 ? line.substring(0, 200) : line);
                        }
                    }
                } catch (IOException ignored) {
                    // the pipe closes when the worker exits
                }
            });
        }

        static StartupErrors watch(Process process, java.util.List<WorkerCommand.Step> steps) {
            return new StartupErrors(process.getErrorStream(), process.pid(), steps);
        }

        /** The step whose program wrote this line ({@code chroot: cannot change root ...}), if any. */
        private WorkerCommand.Step stepOf(String line) {
            for (WorkerCommand.Step step : steps) {
                if (line.startsWith(step.program() + ":")) {
                    return step;
                }
            }
            return null;
        }

        /**
         * {@code : "what the worker said"}, once the exited worker's stderr has been read to its end.
         */
        String describe() throws InterruptedException {
            reader.join(1000);
            synchronized (last) {
                return last.isEmpty() ? "" : ": \"" + String.join(" / ", last).strip() + "\"";
            }
        }

        /** What ended the process before php-cgi listened: the failed step, or php-cgi itself. */
        String explain(int exitCode, String when) throws InterruptedException {
            String said = describe();
            WorkerCommand.Step step = failed;
            return step != null ? "step " + step.describe() + " failed with code " + exitCode + said
                    : "php-cgi exited with code " + exitCode + when + said;
        }
    }
}
