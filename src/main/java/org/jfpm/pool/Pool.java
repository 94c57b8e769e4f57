package org.jfpm.pool;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * One pool: its workers, the FIFO queue of requests waiting for one, and the
 * starting and replacing of workers (php-fpm's fpm_children.c).
 *
 * <p>The hot path is {@link #acquire} and {@link #release}: a short critical
 * section under the pool's lock. A worker coming back is handed straight to
 * the oldest waiter; otherwise it goes on top of the idle stack, so the most
 * recently used (warmest) worker serves next. Starting, replacing and
 * killing workers happen on other threads, never on the request path.
 */
public final class Pool {
    private final PoolConfig config;
    private final WorkerSpec spec;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong socketSeq = new AtomicLong();
    private final Scoreboard scoreboard = new Scoreboard();
    private volatile boolean stopping;
    private int starting;

    /** A request waiting for a worker; the releasing thread fills {@code worker} and unparks it. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        volatile Worker worker;
    }

    public Pool(PoolConfig config, WorkerSpec spec) {
        this.config = config;
        this.spec = spec;
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    public Scoreboard scoreboard() {
        return scoreboard;
    }

    /**
     * Waits for a free worker, oldest request first. Returns null when the pool
     * stops while waiting; nothing else ends the wait.
     */
    public Worker acquire() throws InterruptedException {
        Waiter waiter;
        lock.lock();
        try {
            if (stopping) {
                return null;
            }
            Worker w = idle.pollFirst();
            if (w != null) {
                scoreboard.active(workers.size() - idle.size());
                return w;
            }
            waiter = new Waiter();
            waiters.addLast(waiter);
            scoreboard.queued(waiters.size());
        } finally {
            lock.unlock();
        }
        while (waiter.worker == null) {
            if (stopping) {
                return cancel(waiter);
            }
            LockSupport.park(this);
            if (Thread.interrupted()) {
                cancel(waiter);
                throw new InterruptedException();
            }
        }
        return waiter.worker;
    }

    private Worker cancel(Waiter waiter) {
        lock.lock();
        try {
            waiters.remove(waiter);
        } finally {
            lock.unlock();
        }
        Worker handed = waiter.worker;
        if (handed != null) {
            release(handed);
        }
        return null;
    }

    /** Gives a worker back after a request; a broken one is killed and replaced instead. */
    public void release(Worker w) {
        if (w.isBroken()) {
            discard(w);
            return;
        }
        offer(w);
    }

    /** A worker ready to serve: to the oldest waiter, else onto the idle stack. */
    private void offer(Worker w) {
        Waiter waiter;
        lock.lock();
        try {
            waiter = waiters.pollFirst();
            if (waiter == null) {
                idle.addFirst(w);
                return;
            }
            scoreboard.active(workers.size() - idle.size());
        } finally {
            lock.unlock();
        }
        waiter.worker = w;
        LockSupport.unpark(waiter.thread);
    }

    private void discard(Worker w) {
        lock.lock();
        try {
            idle.remove(w);
        } finally {
            lock.unlock();
        }
        w.process().closeConnection();
        signal(w, Signals.SIGKILL);
    }

    /** Starts the initial workers: pm.max_children for a static pool. */
    public void start() {
        for (int i = 0; i < config.pmMaxChildren(); i++) {
            startWorker(Level.DEBUG);
        }
    }

    /** Starts one worker in the background; {@code level} is how its "started" line is logged. */
    private void startWorker(Level level) {
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            starting++;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("start-" + name()).start(() -> {
            // numbered, not named after the pool: php-cgi takes a path with ':' for host:port
            Path socket = spec.runtimeDir().resolve(socketSeq.incrementAndGet() + ".sock");
            try {
                WorkerProcess process = WorkerProcess.start(spec, socket);
                Worker w = new Worker(this, process);
                boolean keep;
                lock.lock();
                try {
                    starting--;
                    keep = !stopping;
                    if (keep) {
                        workers.add(w);
                    }
                } finally {
                    lock.unlock();
                }
                Log.log(level, "[pool " + name() + "] child " + w.pid() + " started");
                process.process().onExit().thenRun(() -> exited(w));
                if (keep) {
                    offer(w);
                } else {
                    discard(w);
                }
            } catch (WorkerProcess.StartException e) {
                lock.lock();
                try {
                    starting--;
                } finally {
                    lock.unlock();
                }
                Log.error("[pool " + name() + "] child failed to start: " + e.getMessage());
                retryLater();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** A failed start is retried after a second, as php-fpm's maintenance tick would. */
    private void retryLater() {
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1000);
                startWorker(Level.NOTICE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void exited(Worker w) {
        w.markExited();
        lock.lock();
        try {
            workers.remove(w);
            idle.remove(w);
        } finally {
            lock.unlock();
        }
        w.process().closeConnection();
        ExitStatus status = ExitStatus.fromExitValue(w.process().process().exitValue());
        String line = "[pool " + name() + "] child " + w.pid() + " " + status.describe() + " after "
                + ExitStatus.seconds(System.nanoTime() - w.process().startNanos()) + " seconds from start";
        Level level = stopping ? Level.DEBUG : status.clean() ? Level.NOTICE : Level.WARNING;
        Log.log(level, line);
        if (!stopping) {
            startWorker(Level.NOTICE); // static: every exit is followed by a re-fork
        }
    }

    public boolean isStopping() {
        return stopping;
    }

    /** Stops starting workers and wakes every waiting request (it gets no worker). */
    public void stopAccepting() {
        List<Waiter> woken;
        lock.lock();
        try {
            stopping = true;
            woken = new ArrayList<>(waiters);
            waiters.clear();
        } finally {
            lock.unlock();
        }
        woken.forEach(w -> LockSupport.unpark(w.thread));
    }

    /** Sends {@code signal} to every live worker. */
    public void signalAll(int signal) {
        for (Worker w : snapshot()) {
            signal(w, signal);
        }
    }

    private static void signal(Worker w, int signal) {
        try {
            Native.kill(w.pid(), signal);
        } catch (Native.NativeException e) {
            Log.warning("[pool " + w.pool().name() + "] failed to send signal " + Signals.name(signal)
                    + " to child " + w.pid() + ": " + e.getMessage());
        }
    }

    /** Live workers, for status pages and shutdown. */
    public List<Worker> snapshot() {
        lock.lock();
        try {
            return List.copyOf(workers);
        } finally {
            lock.unlock();
        }
    }

    /** Number of workers busy with a request right now. */
    public int activeCount() {
        lock.lock();
        try {
            return workers.size() - idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting for a worker now: jfpm's {@code listen queue}. */
    public int queueLength() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a request is being served or waits for a worker. */
    public boolean isBusy() {
        lock.lock();
        try {
            return workers.size() > idle.size() || !waiters.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Whether any worker process is still running or starting. */
    public boolean hasLiveWorkers() {
        lock.lock();
        try {
            return !workers.isEmpty() || starting > 0;
        } finally {
            lock.unlock();
        }
    }
}
