package org.jfpm.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.function.LongSupplier;
import org.jfpm.log.Level;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.worker.WorkerProcess;

/**
 * A pool's worker processes coming and going (php-fpm's fpm_children.c): starting
 * them within pm.max_children and process.max, taking them out of service, and burying
 * them when they exit, replaced unless the process manager killed them. Starts and
 * kills run on their own virtual threads, never on the request path.
 *
 * <p>A worker process is, in turn:
 * <ul>
 *   <li><b>reserved</b>: counted as starting (running and idle, as php-fpm counts a child
 *       just forked), holding a process.max slot;</li>
 *   <li><b>forked</b>: its process exists, not yet listening; the status page shows it
 *       Idle ({@link #spawnedCopy});</li>
 *   <li><b>connected</b>: a {@link Worker} in the {@link WorkerBag}, idle or busy (see
 *       {@link Worker} for those states); a start that fails instead gives its slot back
 *       and is tried again a second later;</li>
 *   <li><b>leaving</b>: signalled, its connection closed; SIGKILL after
 *       {@link #KILL_GRACE_SECONDS} if it is still there;</li>
 *   <li><b>exited</b>: out of the bag, its process.max slot given back, its exit logged.</li>
 * </ul>
 */
final class Children {
    /** How long a signalled worker has to exit before SIGKILL (php-fpm sends SIGKILL when it picks the child again). */
    static final long KILL_GRACE_SECONDS = 3;

    private final Pool pool;
    private final WorkerBag bag;
    private final WorkerStarter starter;
    private final ProcessLimit processLimit;
    private final LongSupplier clock;
    /** Workers being started, guarded by the bag's lock: counted as running and idle. */
    private int starting;
    /** Those of the starting workers already forked, not yet listening: shown on the status page as Idle. */
    private final List<WorkerProcess.Spawned> spawned = new ArrayList<>();
    /** Signalled when the last starting worker has connected or failed. */
    private final Condition startsDone;

    Children(Pool pool, WorkerBag bag, WorkerStarter starter, ProcessLimit processLimit, LongSupplier clock) {
        this.pool = pool;
        this.bag = bag;
        this.starter = starter;
        this.processLimit = processLimit;
        this.clock = clock;
        this.startsDone = bag.lock.newCondition();
    }

    /** Under the bag's lock: workers being started. */
    int starting() {
        return starting;
    }

    /** Under the bag's lock. */
    List<WorkerProcess.Spawned> spawnedCopy() {
        return List.copyOf(spawned);
    }

    /** Starts up to {@code n} workers, within pm.max_children and process.max; returns how many. */
    int spawn(int n, Level level) {
        int reserved;
        bag.lock.lock();
        try {
            reserved = reserve(n);
        } finally {
            bag.lock.unlock();
        }
        launch(reserved, level);
        return reserved;
    }

    /** Under the bag's lock: counts up to {@code n} workers as starting, each holding a process.max slot. */
    int reserve(int n) {
        if (bag.isStopping()) {
            return 0;
        }
        int room = Math.min(n, pool.config().pmMaxChildren() - (bag.connected() + starting));
        int reserved = 0;
        while (reserved < room && processLimit.tryAcquire()) {
            reserved++;
        }
        starting += reserved;
        return reserved;
    }

    /** Starts {@code n} reserved workers in the background; {@code level} is how their "started" lines are logged. */
    void launch(int n, Level level) {
        for (int i = 0; i < n; i++) {
            Thread.ofVirtual().name("start-" + pool.name()).start(() -> startReserved(level));
        }
    }

    private void startReserved(Level level) {
        if (bag.isStopping()) {
            startFailed(null); // not started at all: the pool stopped while this start waited its turn
            return;
        }
        WorkerProcess.Spawned forked = null;
        try {
            forked = starter.fork();
            if (forked != null) {
                bag.lock.lock();
                try {
                    spawned.add(forked);
                } finally {
                    bag.lock.unlock();
                }
            }
            ChildProcess process = starter.connect(forked);
            Worker w = new Worker(pool, process);
            boolean keep;
            bag.lock.lock();
            try {
                spawned.remove(forked);
                startEnded();
                keep = !bag.isStopping();
                bag.joined(w);
            } finally {
                bag.lock.unlock();
            }
            pool.log().log(level, "child " + w.pid() + " started");
            process.onExit().thenRun(() -> exited(w));
            if (keep) {
                bag.offer(w);
            } else {
                leave(w, Signals.SIGTERM, false); // started as the pool stopped: it leaves as the others did
            }
        } catch (WorkerProcess.StartException e) {
            startFailed(forked);
            pool.log().error("child " + (forked == null ? "" : forked.pid() + " ")
                    + "failed to start: " + e.getMessage());
            retryLater();
        } catch (InterruptedException e) {
            startFailed(forked);
            Thread.currentThread().interrupt();
        }
    }

    /** Gives back what {@link #reserve} took for a worker that did not start ({@code forked}: its process, if any). */
    private void startFailed(WorkerProcess.Spawned forked) {
        bag.lock.lock();
        try {
            spawned.remove(forked);
            startEnded();
        } finally {
            bag.lock.unlock();
        }
        processLimit.release();
    }

    /** Under the bag's lock: one start has ended, connected or failed. */
    private void startEnded() {
        if (--starting == 0) {
            startsDone.signalAll();
        }
    }

    /** Waits until no worker is starting, or until {@code deadlineNanos} ({@link System#nanoTime}). */
    void awaitStarts(long deadlineNanos) throws InterruptedException {
        bag.lock.lock();
        try {
            long left;
            while (starting > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
                startsDone.awaitNanos(left);
            }
        } finally {
            bag.lock.unlock();
        }
    }

    /**
     * A failed start is retried after a second, as php-fpm's next tick would: a static
     * pool wants its max_children back, an ondemand pool a worker for each waiting
     * request; a dynamic pool's tick decides for itself.
     */
    private void retryLater() {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1000);
                int wanted;
                bag.lock.lock();
                try {
                    wanted = switch (pool.config().pm()) {
                        case STATIC -> 1;
                        case ONDEMAND -> bag.waiting() > starting ? 1 : 0;
                        case DYNAMIC -> 0;
                    };
                } finally {
                    bag.lock.unlock();
                }
                spawn(wanted, Level.NOTICE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A worker process has ended (php-fpm's fpm_children_bury): log it, and replace it unless the pm killed it. */
    private void exited(Worker w) {
        w.markExited();
        boolean held;
        bag.lock.lock();
        try {
            // terminate() sends busy workers away too: a held one's buffer is given back on release
            held = bag.exited(w);
        } finally {
            bag.lock.unlock();
        }
        processLimit.release();
        w.process().closeConnection();
        if (!held) {
            w.returnBuffer();
        }
        pool.stopParentWhenDone();
        String name = pool.name();
        String after = " after " + ExitStatus.seconds(clock.getAsLong() - w.process().startNanos())
                + " seconds from start";
        if (w.pmKilled) {
            pool.log().debug("child " + w.pid() + " has been killed by the process management" + after);
            return;
        }
        ExitStatus status = w.process().exitValue().isPresent()
                ? ExitStatus.fromExitValue(w.process().exitValue().getAsInt())
                : ExitStatus.afterSignal(w.lastSignal());
        if (status == null) {
            // a shared parent's child: php-cgi's parent reaped it, and the master sent it nothing
            pool.log().log(bag.isStopping() ? Level.DEBUG : Level.WARNING, "child " + w.pid()
                    + " exited unexpectedly" + after + " (its exit status went to its php-cgi parent)");
        } else {
            Level level = bag.isStopping() ? Level.DEBUG : status.clean() ? Level.NOTICE : Level.WARNING;
            pool.log().log(level, "child " + w.pid() + " " + status.describe() + after);
            if (status.signal() != 0 && !w.leaving && !bag.isStopping()) {
                pool.signalDeath(status.signal());
            }
        }
        if (!bag.isStopping()) {
            // every pm re-forks after an exit it did not ask for (sapi/fpm/fpm/fpm_children.c, fpm_children_bury)
            spawn(1, Level.NOTICE);
        }
    }

    /** A broken worker: out of service at once, SIGKILL. */
    void discard(Worker w) {
        leave(w, Signals.SIGKILL, false);
    }

    /**
     * Takes a worker out of service: out of the idle stack, connection closed, then
     * {@code signal} (SIGTERM: php-cgi exits with code 0 once it has no request and no
     * connection; it ignores SIGQUIT, php-fpm's choice), SIGKILL a few seconds later if it
     * is still there. It is replaced when it has exited, unless {@code pmKill}: the
     * process manager killed it.
     */
    void leave(Worker w, int signal, boolean pmKill) {
        bag.lock.lock();
        try {
            if (!bag.startLeaving(w, pmKill)) {
                return; // already going, or gone (exited() has counted it and closed its connection)
            }
        } finally {
            bag.lock.unlock();
        }
        if (!w.isBroken()) {
            // what a shared child's exit is logged as (ExitStatus.afterSignal); a broken one most
            // likely died before this signal, of something the master does not know
            w.noteSignal(signal);
        }
        // signal first: php-cgi's SIGTERM handler makes it exit when the connection closes, where
        // a shared parent's child would otherwise go back to accept() and take another connection
        signal(w, signal);
        w.process().closeConnection();
        if (signal != Signals.SIGKILL) {
            Thread.ofVirtual().name("kill-" + w.pid()).start(() -> {
                try {
                    if (!w.process().awaitExit(KILL_GRACE_SECONDS)) {
                        signal(w, Signals.SIGKILL);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    static void signal(Worker w, int signal) {
        try {
            w.process().signal(signal);
        } catch (Native.NativeException e) {
            w.pool().log().warning("failed to send signal " + Signals.name(signal)
                    + " to child " + w.pid() + ": " + e.getMessage());
        }
    }
}
