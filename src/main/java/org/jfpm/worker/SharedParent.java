package org.jfpm.worker;

import org.jfpm.log.PoolLog;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.fastcgi.FcgiCall;
import org.jfpm.os.Native;
import org.jfpm.os.PidWatch;
import org.jfpm.os.Signals;

/**
 * A pool's shared workers: one php-cgi parent that forks its children after opcache's
 * shared memory exists, so that they share the compiled scripts (and APCu, and the
 * binary's relocated pages) as php-fpm's children share its master's
 * (sapi/cgi/cgi_main.c, main, with {@code PHP_FCGI_CHILDREN}). Every child accepts on
 * the parent's one socket; php-cgi's parent reaps and re-forks them.
 *
 * <p>A worker is one kept connection to that socket: a child serving a kept connection
 * accepts no other, so N connections are N different children. Which child took a
 * connection is learnt by asking it: a first request, answered by jfpm's prelude with
 * {@code getmypid()}, before the connection serves any site request. The child's exit
 * is seen at once through a pidfd ({@link PidWatch}); its exit status is not (php-cgi's
 * parent reaps it).
 *
 * <p>The parent is started on first use and again after it exits. Stopping it
 * (SIGTERM) makes it send SIGTERM to its process group: children waiting in accept()
 * exit at once, a child holding a connection when the master closes it.
 */
public final class SharedParent {
    private static final long KILL_GRACE_SECONDS = 3;
    /** Sets up the children's exit watches, in the order they connected (see {@link #watchExit}). */
    private static final ExecutorService WATCHER = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().name("jfpm-pidwatch").daemon(true).unstarted(r));

    /** Replaced once by {@link #adopt}, with a spec that gives the same command line. */
    private volatile WorkerSpec spec;
    private final int children;
    private final AtomicInteger seq = new AtomicInteger();
    private Process process;
    private Path socket;
    private WorkerProcess.StartupErrors errors;
    private long startNanos;
    private volatile Runnable onUnexpectedExit = () -> { };
    private volatile boolean stopped;

    public SharedParent(WorkerSpec spec, int children) {
        this.spec = spec;
        this.children = children;
    }

    public int children() {
        return children;
    }

    /**
     * Takes {@code actual} as this parent's spec when its workers' command line and environment
     * are exactly those of the spec it was made with: a parent started on
     * {@link Prelude.Pending#guess} keeps running once the pool's php-cgi -i has confirmed the
     * guess. False when they differ: the caller stops this parent and makes another.
     */
    public synchronized boolean adopt(WorkerSpec actual) {
        Path path = spec.runtimeDir().resolve("children.sock");
        Map<String, String> env = System.getenv();
        WorkerCommand.Built mine = WorkerCommand.shared(spec, path, children, env);
        WorkerCommand.Built theirs = WorkerCommand.shared(actual, path, children, env);
        // the command line and environment hold the whole spec but for the pool's name and output handling
        if (!spec.pool().equals(actual.pool()) || spec.catchOutput() != actual.catchOutput()
                || spec.decorateOutput() != actual.decorateOutput() || !mine.command().equals(theirs.command())
                || !mine.environment().equals(theirs.environment())) {
            return false;
        }
        spec = actual;
        return true;
    }

    /** Registers what to do when the parent exits while not stopped: its children are orphans then. */
    public void onUnexpectedExit(Runnable action) {
        onUnexpectedExit = action;
    }

    /** Starts the parent if it is not running; returns its pid. */
    public synchronized long start() throws WorkerProcess.StartException, InterruptedException {
        if (stopped) {
            throw new WorkerProcess.StartException("the pool is stopping");
        }
        if (process != null && process.isAlive()) {
            return process.pid();
        }
        if (socket != null) {
            try {
                java.nio.file.Files.deleteIfExists(socket); // the dead parent's: its children got SIGTERM
            } catch (IOException ignored) {
                // the runtime directory is removed at exit anyway
            }
        }
        // a new path for each parent: the children of one that died may still be listening on the old one
        Path path = spec.runtimeDir().resolve("children-" + seq.incrementAndGet() + ".sock");
        WorkerCommand.Built built = WorkerCommand.shared(spec, path, children, System.getenv());
        ProcessBuilder pb = WorkerProcess.builder(built);
        if (!spec.catchOutput()) {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        startNanos = System.nanoTime();
        Process started = WorkerProcess.launch(pb, built);
        errors = spec.catchOutput() ? null : WorkerProcess.StartupErrors.watch(started, built.steps());
        if (spec.catchOutput()) {
            WorkerOutput.capture(spec, started);
        }
        process = started;
        socket = path;
        started.onExit().thenRun(() -> {
            if (!stopped) {
                killGroup(started.pid(), Signals.SIGTERM);
                onUnexpectedExit.run();
            }
        });
        return started.pid();
    }

    /** {@link #start} on a virtual thread of its own; a failure is logged, and the next worker's start tries again. */
    public void startInBackground(PoolLog log) {
        Thread.ofVirtual().name("start-" + spec.pool()).start(() -> {
            try {
                start();
            } catch (WorkerProcess.StartException e) {
                log.error("php-cgi parent of the shared workers failed to start: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The parent's pid and how it ended, for the log line of an unexpected exit. */
    public synchronized String describeExit() {
        if (process == null || process.isAlive()) {
            return "";
        }
        int value = process.exitValue();
        return "php-cgi parent " + process.pid() + (value > 128
                ? " exited on signal " + (value - 128) + " (" + Signals.name(value - 128) + ")"
                : " exited with code " + value);
    }

    /**
     * Connects to a child (starting the parent first when needed) and asks its pid; fails
     * when the parent exits first or no child answers within the start timeout.
     */
    public WorkerProcess connectChild() throws WorkerProcess.StartException, InterruptedException {
        long startMillis = System.currentTimeMillis();
        long begin = System.nanoTime();
        start();
        Process parent;
        Path path;
        long since;
        WorkerProcess.StartupErrors said;
        synchronized (this) {
            parent = process;
            path = socket;
            since = startNanos;
            said = errors;
        }
        SocketChannel ch = WorkerProcess.connect(parent, path, since, said);
        try {
            long pid = askPid(ch);
            return new WorkerProcess(pid, ch, watchExit(pid), begin, startMillis);
        } catch (IOException e) {
            WorkerProcess.closeQuietly(ch);
            throw new WorkerProcess.StartException("a child of php-cgi parent " + parent.pid()
                    + " did not say its pid: " + e.getMessage());
        }
    }

    /**
     * Completes when child {@code pid} has exited. The watch is set up on {@link #WATCHER},
     * off the connection's path: PidWatch's first use links its native calls, which is slow,
     * and a pool's first workers should not wait for it. A child that exits before its watch
     * exists is seen as gone at once (pidfd_open(2) fails with ESRCH); one that cannot be
     * watched is logged and taken as gone, so that the pool replaces it.
     */
    private CompletableFuture<Void> watchExit(long pid) {
        CompletableFuture<Void> exited = new CompletableFuture<>();
        WATCHER.execute(() -> {
            try {
                PidWatch.onExit(pid).thenRun(() -> exited.complete(null));
            } catch (Native.NativeException | RuntimeException e) {
                new PoolLog(spec.pool()).error("cannot watch child " + pid + " of php-cgi parent: "
                        + e.getMessage());
                exited.complete(null);
            }
        });
        return exited;
    }

    /**
     * The pid probe: one request for the prelude itself, carrying the prelude's secret
     * marker, which makes it print {@code getmypid()} and stop before any other code runs.
     * Closed after the start timeout if no child answers.
     */
    private long askPid(SocketChannel ch) throws IOException {
        Prelude prelude = spec.prelude();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_FILENAME", prelude.file().toString());
        params.put("SCRIPT_NAME", "/" + prelude.file().getFileName());
        params.put("REQUEST_URI", "/" + prelude.file().getFileName());
        params.put("QUERY_STRING", "");
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put(Prelude.PID_PROBE_PARAM, prelude.marker());
        return parsePid(FcgiCall.stdout(ch, params, true, WorkerProcess.START_TIMEOUT_NANOS));
    }

    /** The pid in the body of the probe's CGI answer. */
    static long parsePid(byte[] answer) throws IOException {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int body = text.indexOf("\r\n\r\n");
        String pid = body < 0 ? "" : text.substring(body + 4).strip();
        try {
            return Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new IOException("the answer was not a pid: \"" + (text.length() > 200 ? text.substring(0, 200) : text)
                    + "\"");
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Ends the parent for good: SIGTERM, which its handler passes on to its process group;
     * SIGKILL to the whole group if it is still there after a few seconds.
     */
    public void stop() {
        Process p;
        synchronized (this) {
            stopped = true;
            p = process;
        }
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            Native.kill(p.pid(), Signals.SIGTERM);
        } catch (Native.NativeException ignored) {
            // gone meanwhile
        }
        Thread.ofVirtual().name("stop-parent-" + p.pid()).start(() -> {
            try {
                if (!p.waitFor(KILL_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    killGroup(p.pid(), Signals.SIGKILL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** SIGKILL to the parent's whole group, children included (the master's last resort at stop). */
    public void kill() {
        Process p;
        synchronized (this) {
            stopped = true;
            p = process;
        }
        if (p != null) {
            killGroup(p.pid(), Signals.SIGKILL);
        }
    }

    /** The parent leads its group (setsid), so its pid is the group's id; children stay in it after it dies. */
    private static void killGroup(long parentPid, int signal) {
        try {
            Native.kill(-parentPid, signal);
        } catch (Native.NativeException ignored) {
            // no process left in the group
        }
    }
}
