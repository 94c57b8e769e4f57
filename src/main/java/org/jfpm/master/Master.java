package org.jfpm.master;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.jfpm.config.ConfigException;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigMessage;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.GlobalConfig;
import org.jfpm.front.Listener;
import org.jfpm.front.PoolFront;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.pool.Pool;

/**
 * The master process from start to exit (php-fpm's fpm.c and fpm_signals.c).
 *
 * <p>Start-up, in php-fpm's order: log destination, pools and their worker
 * specs, every listening socket (any failure stops start-up with exit 78
 * before a worker serves: a pool's shared php-cgi parent may be starting
 * already, see {@link Generation}, and is stopped), pid file, {@code fpm is
 * running}, the initial workers, the accept loops, {@code ready to handle
 * connections} once those workers listen (or failed to start): php-fpm says it
 * as it forks children that are ready at once, where a php-cgi takes a while
 * to listen, and ready should mean a request finds a worker.
 *
 * <p>States: <b>normal</b>; <b>finishing</b> after SIGQUIT (no new
 * connections, kept web server connections close as soon as they are idle,
 * requests in flight finish, then the workers are stopped);
 * <b>terminating</b> after SIGTERM or SIGINT (workers get SIGTERM at once,
 * SIGKILL a second later). Signals for the state already entered are
 * ignored; terminating is final.
 */
public final class Master {
    /** Exit status of a configuration or initialisation failure (php-fpm's FPM_EXIT_CONFIG). */
    public static final int EXIT_CONFIG = 78;

    private enum State { NORMAL, FINISHING, TERMINATING }

    private final FpmConfig firstConfig;
    private final boolean forceStderr;
    private final PrintStream daemonStatus;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile State state = State.NORMAL;
    private PoolSetup setup;
    /** The running configuration's pools, fronts and sockets; replaced whole by a reload. */
    private volatile Generation current;
    private volatile EmergencyRestart emergency;
    private volatile SystemdNotifier systemd;
    /** Generations retired by a reload whose busy workers are still finishing. */
    private final List<Generation> draining = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** One reload at a time; a signal for a reload already running is ignored (php-fpm's same-state rule). */
    private final java.util.concurrent.atomic.AtomicBoolean reloading = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param forceStderr   {@code -O}: log to stderr in the foreground even without a terminal
     * @param daemonStatus  when started by a daemonizing parent: where to report success or failure
     */
    public Master(FpmConfig config, boolean forceStderr, PrintStream daemonStatus) {
        this.firstConfig = config;
        this.forceStderr = forceStderr;
        this.daemonStatus = daemonStatus;
    }

    public int run() throws InterruptedException {
        GlobalConfig global = firstConfig.global();
        if (!MasterStdio.openLog(global, forceStderr)) {
            return failStart();
        }
        for (ConfigMessage m : firstConfig.messages()) {
            Log.log(m.level(), m.text());
        }
        for (ConfigMessage m : firstConfig.startupMessages()) {
            Log.log(m.level(), m.text());
        }
        try {
            if (!setUp()) {
                return failStart();
            }
        } catch (RuntimeException e) {
            Log.error("start-up failed: " + e);
            cleanUp();
            return failStart();
        }
        Log.notice("fpm is running, pid " + ProcessHandle.current().pid());
        current.start();
        current.awaitWorkers();
        Log.notice("ready to handle connections");
        systemd = SystemdNotifier.create(current::pools, global.systemdInterval(), global.systemdIntervalConfigured());
        systemd.ready();
        SignalWatcher.start(this::onSignal);
        // what a stop needs is linked now, not when the stop comes (Native links on first use)
        Thread.ofPlatform().daemon(true).name("jfpm-link").start(Native::link);
        HeapWatch.start();
        RuntimeGuard.start(setup, stopRequested, () -> {
            List<Generation> live = new ArrayList<>(draining);
            live.add(current);
            return live;
        });
        reportDaemonStatus(true);
        Log.startupComplete();
        MasterStdio.detach(daemonStatus != null);
        stopRequested.await();
        stop();
        Log.notice("exiting, bye-bye!");
        return 0;
    }

    private int failStart() {
        Log.error("FPM initialization failed");
        reportDaemonStatus(false);
        return EXIT_CONFIG;
    }

    /** Pools, worker specs, sockets and pid file; false after logging the first failure. */
    private boolean setUp() {
        if (!MasterLimits.apply(firstConfig.global())) {
            return false;
        }
        setup = PoolSetup.create(firstConfig.options());
        if (setup == null) {
            return false;
        }
        emergency = new EmergencyRestart(firstConfig.global().emergencyRestartThreshold(),
                firstConfig.global().emergencyRestartInterval());
        try {
            current = Generation.build(firstConfig, setup, List.of(), this::workerSignalled);
        } catch (Generation.SetupFailure e) {
            cleanUp();
            return false;
        }
        return writePidFile(firstConfig.global().pid());
    }

    private boolean writePidFile(Path pid) {
        if (pid == null) {
            return true;
        }
        try {
            PidFile.write(pid, ProcessHandle.current().pid());
            return true;
        } catch (IOException e) {
            Log.error("Unable to create the PID file (" + pid + ").: " + e.getMessage());
            cleanUp();
            return false;
        }
    }

    private void reportDaemonStatus(boolean ok) {
        if (daemonStatus != null) {
            daemonStatus.println(ok ? "ready" : "failed");
            daemonStatus.flush();
        }
    }

    /** Runs on the signal thread. */
    private void onSignal(int signal) {
        switch (signal) {
            case Signals.SIGTERM, Signals.SIGINT -> {
                Log.notice("Terminating ...");
                enter(State.TERMINATING);
            }
            case Signals.SIGQUIT -> {
                Log.notice("Finishing ...");
                enter(State.FINISHING);
            }
            case Signals.SIGUSR1 -> {
                Log.reopen();
                current.fronts().forEach(PoolFront::reopenLogs);
            }
            case Signals.SIGUSR2, Signals.SIGHUP -> { // HUP as USR2: Debian's php-fpm build does the same
                Log.notice("Reloading in progress ...");
                reloadInBackground();
            }
            default -> Log.debug("ignoring signal " + Signals.name(signal));
        }
    }

    /** A worker died of a signal nobody sent it: emergency_restart_threshold may call for a reload. */
    private void workerSignalled(int signal) {
        EmergencyRestart e = emergency;
        if (e != null && e.workerDied(signal, System.nanoTime())) {
            Log.warning(e.warning());
            reloadInBackground();
        }
    }

    private void reloadInBackground() {
        if (state != State.NORMAL || !reloading.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().name("jfpm-reload").start(() -> {
            try {
                reload();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                reloading.set(false);
            }
        });
    }

    /**
     * Graceful reload (php-fpm's USR2): the configuration is read and checked
     * again; a broken one is refused and the running pools keep serving. Otherwise
     * the new pools are prepared and their sockets bound beside the old ones
     * (unchanged addresses are taken over, never closed, so no connection is
     * refused), their workers start, the sockets switch to them, and the old
     * pools hand their waiting requests over while their busy workers finish,
     * within process_control_timeout when it is set.
     *
     * <p>php-fpm re-executes itself instead, which also picks up a new php-fpm
     * binary; jfpm keeps its JVM, so a new jfpm version needs a restart.
     */
    private void reload() throws InterruptedException {
        Log.notice(ReloadLine.execvp());
        FpmConfig next;
        try {
            next = ConfigLoader.load(firstConfig.options());
        } catch (ConfigException e) {
            e.messages().forEach(m -> Log.log(m.level(), m.text()));
            Log.error("reload failed: the configuration was refused, the running pools keep serving");
            return;
        }
        Generation old = current;
        Generation fresh;
        try {
            fresh = Generation.build(next, setup, old.listeners(), this::workerSignalled);
        } catch (Generation.SetupFailure e) {
            Log.error("reload failed: the running pools keep serving");
            return;
        }
        next.messages().forEach(m -> Log.log(m.level(), m.text()));
        fresh.inheritedLines().forEach(Log::notice);
        MasterStdio.reapply(next.global());
        synchronized (this) {
            if (state != State.NORMAL) {
                fresh.abandon(); // a stop arrived meanwhile; the new pools never started
                return;
            }
            fresh.start();
            current = fresh;
            draining.add(old);
            old.retireInto(fresh);
        }
        emergency = new EmergencyRestart(next.global().emergencyRestartThreshold(),
                next.global().emergencyRestartInterval());
        Path oldPid = old.config().global().pid();
        Path newPid = next.global().pid();
        if (oldPid != null && !oldPid.equals(newPid)) {
            try {
                PidFile.remove(oldPid);
            } catch (IOException ignored) {
                // the new file is what counts
            }
        }
        writePidFile(newPid);
        fresh.awaitWorkers();
        Log.notice("fpm is running, pid " + ProcessHandle.current().pid());
        Log.notice("ready to handle connections");
        systemd.reloaded();
        // the new pools serve: a further USR2 may build the next generation while this one's
        // predecessor drains (each drain is its own; a signal is never dropped for it)
        reloading.set(false);
        try {
            drain(old, next.global().processControlTimeout());
        } finally {
            draining.remove(old);
        }
        // what the old generation's requests and the new pools' start promoted is garbage now:
        // collected at this rare moment, a few ms, rather than left to grow the heap (HeapWatch)
        System.gc();
    }

    /** Waits for a retired generation's workers: at +T SIGTERM, then SIGKILL each second (php-fpm's escalation). */
    private void drain(Generation old, int timeoutSeconds) throws InterruptedException {
        long start = System.nanoTime();
        boolean termed = false;
        while (old.hasLiveWorkers()) {
            long elapsed = System.nanoTime() - start;
            if (timeoutSeconds > 0 && elapsed > timeoutSeconds * 1_000_000_000L) {
                if (termed) {
                    old.signalAll(Signals.SIGKILL);
                } else {
                    old.terminate(Signals.SIGTERM);
                }
                termed = true;
                Thread.sleep(1000);
            } else {
                Thread.sleep(20);
            }
        }
        old.closeFronts();
    }

    private synchronized void enter(State next) {
        if (state == State.TERMINATING || state == next) {
            return;
        }
        State previous = state;
        state = next;
        if (previous == State.NORMAL) {
            stopRequested.countDown();
        }
        notifyAll();
    }

    /** The ordered stop: no new connections, then requests in flight (finishing only), then workers. */
    private void stop() throws InterruptedException {
        Generation g;
        synchronized (this) {
            g = current; // no reload starts a generation after this point (state is no longer NORMAL)
        }
        if (state == State.FINISHING) {
            // sockets closed, idle kept connections closed, the others after their request:
            // a load balancer's next request goes to another host, none is cut
            g.listeners().forEach(Listener::drain);
            waitForRequestsInFlight(g);
        } else {
            g.listeners().forEach(Listener::close);
        }
        g.pools().forEach(Pool::stopAccepting);
        List<Generation> all = new ArrayList<>(draining);
        all.add(g);
        int signal = state == State.TERMINATING ? Signals.SIGKILL : Signals.SIGTERM; // a fast stop ends them at once
        all.forEach(x -> x.terminate(signal));
        waitForWorkers(all, 1000);
        all.forEach(x -> x.signalAll(Signals.SIGKILL));
        waitForWorkers(all, 2000);
        cleanUp();
    }

    /**
     * Graceful stop: waits while any pool has a busy worker or a queued request, or a
     * web server connection is open (its request in flight, or a head still arriving, which
     * the head timer bounds), for at most process_control_timeout when it is set; a
     * SIGTERM ends the wait.
     */
    private synchronized void waitForRequestsInFlight(Generation g) throws InterruptedException {
        int timeout = g.config().global().processControlTimeout();
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000_000L : Long.MAX_VALUE;
        while (state == State.FINISHING && System.nanoTime() < deadline && (g.isBusy() || g.hasOpenConnections())) {
            wait(50);
        }
    }

    private static void waitForWorkers(List<Generation> gs, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline && gs.stream().anyMatch(Generation::hasLiveWorkers)) {
            Thread.sleep(10);
        }
    }

    private void cleanUp() {
        Generation g = current;
        if (g != null) {
            g.listeners().forEach(Listener::close);
            g.closeFronts();
            Path pid = g.config().global().pid();
            if (pid != null) {
                try {
                    PidFile.remove(pid);
                } catch (IOException e) {
                    Log.error("Unable to remove the PID file (" + pid + ").: " + e.getMessage());
                }
            }
        }
        if (setup != null) {
            setup.cleanUp();
        }
    }
}
