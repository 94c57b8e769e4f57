package org.jfpm.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a pool's requests and its idle workers meet (the shape of HikariCP's
 * ConcurrentBag): the stack of idle workers, the FIFO queue of requests waiting for
 * one, and the pool's lock, which guards them, the list of connected workers and the
 * count of those leaving ({@link Children} and {@link PoolMaintenance} take it for
 * their own counts, so that every count is read at one instant).
 *
 * <p>The hot path is {@link #acquire} and {@link #offer}, a short critical section
 * each. A worker coming back goes straight to the oldest waiter; with none waiting it
 * goes on top of the idle stack, so the most recently used (warmest) worker serves next.
 *
 * <p>A waiting request is, in turn:
 * <ul>
 *   <li><b>queued</b>: in the FIFO, its thread parked; with jfpm.queue_timeout, until
 *       its deadline;</li>
 *   <li><b>handed</b>: {@link #offer} took it out of the queue, set its worker and
 *       unparked it; it serves with that worker;</li>
 *   <li><b>refused</b>: its deadline passed while still queued; it leaves the queue
 *       and gets {@link QueueBounds#timedOut};</li>
 *   <li><b>cancelled</b>: interrupted, or the pool stopped; it leaves the queue, and a
 *       worker handed to it in the meantime is given back.</li>
 * </ul>
 */
final class WorkerBag {
    /** Guards every field below and the starting counts of {@link Children}. */
    final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Every connected worker: idle, busy and leaving. */
    private final List<Worker> workers = new ArrayList<>();
    /** Workers in {@code workers} on their way out (see {@link Worker}): running, neither idle nor active. */
    private int leaving;
    private volatile boolean stopping;
    private final Scoreboard scoreboard;
    private final QueueBounds bounds;
    private final LongSupplier clock;
    /** Under the lock, as a request joins the queue: what to do once it is released, or null; null for none. */
    private final Supplier<Runnable> queued;
    /** Where a worker handed to a request that has gone is given back. */
    private final Consumer<Worker> giveBack;

    /** A request waiting for a worker; the releasing thread fills {@code worker} and unparks it. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long since;
        volatile Worker worker;

        Waiter(long since) {
            this.since = since;
        }
    }

    /**
     * @param clock     {@link System#nanoTime} in production
     * @param queued    asked under the lock each time a request joins the queue (pm = ondemand), or null
     * @param giveBack  takes back a worker handed to a request that was cancelled
     */
    WorkerBag(Scoreboard scoreboard, QueueBounds bounds, LongSupplier clock, Supplier<Runnable> queued,
              Consumer<Worker> giveBack) {
        this.scoreboard = scoreboard;
        this.bounds = bounds;
        this.clock = clock;
        this.queued = queued;
        this.giveBack = giveBack;
    }

    /**
     * Waits for a free worker, oldest request first; null when the pool stops before one
     * comes. {@code bounded}: jfpm.queue_limit and jfpm.queue_timeout apply.
     */
    Worker acquire(boolean bounded) throws InterruptedException, QueueRefusal {
        Waiter waiter;
        Runnable ondemand = null;
        int queuedBefore = 0;
        lock.lock();
        try {
            if (stopping) {
                waiter = null; // raced with a reload or stop: handled below, outside the lock
            } else {
                Worker w = idle.pollFirst();
                if (w != null) {
                    scoreboard.active(active());
                    scoreboard.queueWait().observe(0);
                    return w;
                }
                queuedBefore = waiters.size();
                if (bounded && !bounds.admits(queuedBefore)) {
                    waiter = null;
                } else {
                    waiter = new Waiter(clock.getAsLong());
                    waiters.addLast(waiter);
                    scoreboard.queued(waiters.size());
                    if (queued != null) {
                        ondemand = queued.get();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (waiter == null) {
            if (!stopping) {
                throw bounds.full(queuedBefore);
            }
            return null;
        }
        if (ondemand != null) {
            ondemand.run();
        }
        long deadline = bounded ? bounds.deadline(waiter.since) : 0;
        while (waiter.worker == null) {
            if (stopping) {
                cancel(waiter);
                return null;
            }
            if (deadline == 0) {
                LockSupport.park(this);
            } else {
                long left = deadline - clock.getAsLong();
                if (left > 0) {
                    LockSupport.parkNanos(this, left);
                } else if (withdraw(waiter)) {
                    throw bounds.timedOut();
                } else {
                    deadline = 0; // a worker was handed over as the time ran out: it is on its way
                }
            }
            if (Thread.interrupted()) {
                cancel(waiter);
                throw new InterruptedException();
            }
        }
        scoreboard.queueWait().observe(clock.getAsLong() - waiter.since);
        return waiter.worker;
    }

    /** Takes a waiter out of the queue; false if a worker was already handed to it. */
    private boolean withdraw(Waiter waiter) {
        lock.lock();
        try {
            return waiters.remove(waiter);
        } finally {
            lock.unlock();
        }
    }

    /** Takes a waiter out of the queue and gives back the worker handed to it meanwhile, if any. */
    private void cancel(Waiter waiter) {
        withdraw(waiter);
        Worker handed = waiter.worker;
        if (handed != null) {
            giveBack.accept(handed);
        }
    }

    /** A worker ready to serve: to the oldest waiter, else onto the idle stack. */
    void offer(Worker w) {
        Waiter waiter;
        lock.lock();
        try {
            waiter = waiters.pollFirst();
            if (waiter == null) {
                idle.addFirst(w);
                return;
            }
            scoreboard.active(active());
        } finally {
            lock.unlock();
        }
        waiter.worker = w;
        LockSupport.unpark(waiter.thread);
    }

    boolean isStopping() {
        return stopping;
    }

    /** Stops handing out workers and wakes every waiting request (it gets none). */
    void stop() {
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

    /** A count read under the lock (the status page and the master's stop read these). */
    int count(ToIntFunction<WorkerBag> count) {
        lock.lock();
        try {
            return count.applyAsInt(this);
        } finally {
            lock.unlock();
        }
    }

    /** What {@code read} makes of the bag under the lock. */
    <T> T read(Function<WorkerBag, T> read) {
        lock.lock();
        try {
            return read.apply(this);
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------ membership, under the lock

    /** Under the lock: a worker has connected. */
    void joined(Worker w) {
        workers.add(w);
    }

    /**
     * Under the lock: {@code w} starts leaving and is taken out of the idle stack; false when
     * it is going already or has gone.
     */
    boolean startLeaving(Worker w, boolean pmKill) {
        if (w.leaving || w.hasExited()) {
            return false;
        }
        w.leaving = true;
        w.pmKilled = pmKill;
        leaving++;
        idle.remove(w);
        return true;
    }

    /**
     * Under the lock: {@code w}'s process has exited; true when a front connection still
     * holds it (it was neither idle nor leaving between requests: busy, or being handed to
     * a request), so that its buffer is given back when that connection releases it.
     */
    boolean exited(Worker w) {
        boolean held = !idle.contains(w) && (!w.leaving || w.state() != WorkerState.IDLE);
        workers.remove(w);
        idle.remove(w);
        if (w.leaving) {
            leaving--;
        }
        return held;
    }

    /** Under the lock: takes {@code w} out of the idle stack; false when it was not there. */
    boolean removeIdle(Worker w) {
        return idle.remove(w);
    }

    /** Under the lock: the idle workers, most recently used first. */
    Iterable<Worker> idleWorkers() {
        return idle;
    }

    /** Under the lock. */
    List<Worker> idleCopy() {
        return List.copyOf(idle);
    }

    /** Under the lock. */
    boolean isIdle(Worker w) {
        return idle.contains(w);
    }

    /** Under the lock: the idle worker with the oldest start time (php-fpm's last_idle_child), or null. */
    Worker oldestIdle() {
        Worker oldest = null;
        for (Worker w : idle) {
            if (oldest == null || w.startNanos() < oldest.startNanos()) {
                oldest = w;
            }
        }
        return oldest;
    }

    /** Under the lock. */
    int idleSize() {
        return idle.size();
    }

    /** Under the lock: workers serving a request. */
    int active() {
        return workers.size() - idle.size() - leaving;
    }

    /** Under the lock: connected workers, leaving ones included. */
    int connected() {
        return workers.size();
    }

    /** Under the lock. */
    int leaving() {
        return leaving;
    }

    /** Under the lock: requests waiting for a worker. */
    int waiting() {
        return waiters.size();
    }

    /** Under the lock. */
    List<Worker> workersCopy() {
        return List.copyOf(workers);
    }

    /** Under the lock: µs the oldest waiting request has waited; 0 when none waits. */
    long oldestWaitMicros() {
        Waiter first = waiters.peekFirst();
        return first == null ? 0 : (clock.getAsLong() - first.since) / 1000;
    }

    /** Under the lock: whether a request is being served or waits for a worker. */
    boolean busy() {
        return workers.size() - leaving > idle.size() || !waiters.isEmpty();
    }
}
