package org.jfpm.pool;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import org.jfpm.config.Pm;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.log.PoolLog;
import org.jfpm.os.Signals;
import org.jfpm.worker.SharedParent;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * One pool, as the rest of the master sees it: requests take and give back its workers,
 * the master starts, reloads and stops it, the status page counts it.
 *
 * <p>The hot path is {@link #acquire} and {@link #release}: the {@link WorkerBag} hands
 * a worker coming back straight to the oldest waiter, else puts it on top of the idle
 * stack. Starting, replacing and killing workers ({@link Children}) happen on other
 * threads, never on the request path; the only work {@link #release} adds is retiring a
 * worker that has served pm.max_requests (or is over jfpm.max_memory or
 * jfpm.max_lifetime), and {@link #acquire} asks for an ondemand spawn only when the
 * request has to wait anyway. The once-a-second process manager is {@link PoolMaintenance},
 * its arithmetic {@link PmDecision}.
 */
public final class Pool {
    private final PoolConfig config;
    private final PoolLog log;
    private final WorkerSpec spec;
    /** The php-cgi parent whose children are this pool's workers (shared opcache), or null: one process each. */
    private final SharedParent parent;
    private final LongSupplier clock;
    private final Scoreboard scoreboard = new Scoreboard();
    private final int maxRequests;
    /** jfpm.max_memory and jfpm.max_lifetime; null when neither is set. */
    private final Recycling recycling;
    private final WorkerBag bag;
    private final Children children;
    private final PoolMaintenance maintenance;
    /** After a reload: the pool that serves this pool's listener now; requests still arriving here go there. */
    private volatile Pool successor;
    /** Told the signal number each time a worker dies of a signal nobody sent it (emergency_restart_*). */
    private volatile IntConsumer signalDeaths = signal -> { };

    public Pool(PoolConfig config, WorkerSpec spec, ProcessLimit processLimit) {
        this(config, spec, processLimit, null);
    }

    /** A pool whose workers are {@code parent}'s children, or one php-cgi each when it is null. */
    public Pool(PoolConfig config, WorkerSpec spec, ProcessLimit processLimit, SharedParent parent) {
        this(config, spec, processLimit, parent, new PhpCgiStarter(spec, parent), System::nanoTime);
        if (parent != null) {
            parent.onUnexpectedExit(this::parentExited);
        }
    }

    /** A pool whose workers {@code starter} starts, on {@code clock}'s time: tests start no php-cgi. */
    Pool(PoolConfig config, ProcessLimit processLimit, WorkerStarter starter, LongSupplier clock) {
        this(config, null, processLimit, null, starter, clock);
    }

    private Pool(PoolConfig config, WorkerSpec spec, ProcessLimit processLimit, SharedParent parent,
                 WorkerStarter starter, LongSupplier clock) {
        this.config = config;
        this.log = new PoolLog(config.name());
        this.spec = spec;
        this.parent = parent;
        this.clock = clock;
        this.maxRequests = config.pmMaxRequests();
        this.recycling = config.maxMemoryBytes() > 0 || config.maxLifetimeMillis() > 0
                ? new Recycling(config.maxMemoryBytes(), config.maxLifetimeMillis() * 1_000_000) : null;
        QueueBounds bounds = new QueueBounds(config.name(), config.pmMaxChildren(), config.queueLimit(),
                config.queueTimeoutMillis() * 1_000_000, scoreboard, clock);
        this.bag = new WorkerBag(scoreboard, bounds, clock,
                config.pm() == Pm.ONDEMAND ? this::ondemandQueued : null, this::release);
        this.children = new Children(this, bag, starter, processLimit, clock);
        this.maintenance = new PoolMaintenance(this, bag, children);
    }

    /** Whether the workers are children of one php-cgi parent sharing its opcache. */
    public boolean sharesOpcache() {
        return parent != null;
    }

    public String name() {
        return config.name();
    }

    /** The error log with this pool's {@code [pool NAME] } before every line. */
    public PoolLog log() {
        return log;
    }

    /** Registers who hears of workers dying of a signal the master did not send (emergency restart). */
    public void onSignalDeath(IntConsumer observer) {
        signalDeaths = observer;
    }

    void signalDeath(int signal) {
        signalDeaths.accept(signal);
    }

    public PoolConfig config() {
        return config;
    }

    /** How the pool's workers are started (the front reads the prelude's marker from it). */
    public WorkerSpec spec() {
        return spec;
    }

    public Scoreboard scoreboard() {
        return scoreboard;
    }

    LongSupplier clock() {
        return clock;
    }

    PoolMaintenance maintenance() {
        return maintenance;
    }

    /** The pool's private directory of worker sockets (the same path inside a chroot). */
    public Path socketDir() {
        return spec.runtimeDir();
    }

    /**
     * Waits for a free worker, oldest request first. Returns null when the pool
     * stops while waiting. A pool replaced by a reload passes its requests, waiting
     * ones included, to its successor. With jfpm.queue_limit a request that would
     * make the queue longer is refused at once; with jfpm.queue_timeout one that
     * waited that long is refused then.
     */
    public Worker acquire() throws InterruptedException, QueueRefusal {
        return acquire(true);
    }

    /**
     * As {@link #acquire()} without the queue's bounds: for a request that already had its
     * turn and lost its worker before the worker read it.
     */
    public Worker acquireAgain() throws InterruptedException {
        try {
            return acquire(false);
        } catch (QueueRefusal e) {
            throw new IllegalStateException("an unbounded wait was refused", e);
        }
    }

    private Worker acquire(boolean bounded) throws InterruptedException, QueueRefusal {
        if (!bag.isStopping()) {
            Worker w = bag.acquire(bounded);
            if (w != null) {
                return w;
            }
        }
        Pool next = successor; // the pool stops: its successor serves, if it has one
        return next != null ? next.acquire(bounded) : null;
    }

    /** Under the bag's lock: an ondemand pool's request has to wait. */
    private Runnable ondemandQueued() {
        return maintenance.requestQueued();
    }

    /** Gives a worker back after a request; a broken one is killed and replaced instead. */
    public void release(Worker w) {
        if (w.pool() != this) {
            w.pool().release(w); // taken from the successor of a pool replaced by a reload
            return;
        }
        if (w.isBroken()) {
            children.discard(w);
            if (w.hasExited()) {
                w.returnBuffer(); // its exit was seen while a front connection held it
            }
            return;
        }
        if (bag.isStopping()) {
            children.leave(w, Signals.SIGTERM, false); // its request is done; a stopping pool serves no other
            return;
        }
        if (maxRequests > 0 && w.requests() >= maxRequests) {
            // php-fpm's child exits by itself after pm.max_requests; php-cgi is told never to
            // (PHP_FCGI_MAX_REQUESTS=0), so the master retires it here, between two requests
            scoreboard.countRecycle(Recycle.MAX_REQUESTS);
            children.leave(w, Signals.SIGTERM, false);
            return;
        }
        if (recycling != null) {
            Recycling.Verdict verdict = recycling.afterRequest(name(), w, clock.getAsLong(),
                    bag.count(WorkerBag::leaving) > 0);
            if (verdict != null) {
                recycle(w, verdict);
                return;
            }
        }
        bag.offer(w);
    }

    /** Replaces a worker that is between two requests (out of the idle stack already): NOTICE, count, SIGTERM. */
    private void recycle(Worker w, Recycling.Verdict verdict) {
        Log.notice(verdict.notice());
        scoreboard.countRecycle(verdict.reason());
        children.leave(w, Signals.SIGTERM, false);
    }

    /**
     * The tick's part of jfpm.max_lifetime: an idle worker past its age is replaced at once,
     * one at a time (none while another worker is on its way out).
     */
    void recycleAged(long nowNanos) {
        if (recycling == null || !recycling.byAge()) {
            return;
        }
        Worker aged = null;
        Recycling.Verdict verdict = null;
        bag.lock.lock();
        try {
            if (bag.isStopping() || bag.leaving() > 0) {
                return;
            }
            for (Worker w : bag.idleWorkers()) {
                Recycling.Verdict v = recycling.byAge(name(), w, nowNanos);
                if (v != null && (aged == null || w.startNanos() < aged.startNanos())) {
                    aged = w;
                    verdict = v;
                }
            }
            if (aged == null) {
                return;
            }
            bag.removeIdle(aged); // no request can take it now
        } finally {
            bag.lock.unlock();
        }
        recycle(aged, verdict);
    }

    /** Starts the initial workers (static: pm.max_children; dynamic: pm.start_servers; ondemand: none) and the tick. */
    public void start() {
        if (parent != null) {
            parent.startInBackground(log); // now, so that even an ondemand pool's first request finds children forked
        }
        startWorkers();
        maintenance.start();
    }

    /** The initial workers alone, without the heartbeat: tests drive {@link PoolMaintenance#tick} themselves. */
    void startWorkers() {
        int initial = switch (config.pm()) {
            case STATIC -> config.pmMaxChildren();
            case DYNAMIC -> config.pmStartServers();
            case ONDEMAND -> 0;
        };
        children.spawn(initial, Level.DEBUG);
    }

    /**
     * Waits until no worker is starting, each having connected or failed, or until
     * {@code deadlineNanos} ({@link System#nanoTime}). The master says "ready to handle
     * connections" after it: ready means a request finds a worker listening, not one that
     * php-cgi is still starting.
     */
    public void awaitStarts(long deadlineNanos) throws InterruptedException {
        children.awaitStarts(deadlineNanos);
    }

    public boolean isStopping() {
        return bag.isStopping();
    }

    /** Stops starting workers and wakes every waiting request (it gets no worker). */
    public void stopAccepting() {
        bag.stop();
        maintenance.stop();
        stopParentWhenDone();
    }

    /**
     * Graceful reload: from now on {@code next} serves this pool's requests, the
     * waiting ones included; idle workers leave at once (SIGTERM, an idle php-cgi
     * exits 0), busy ones when their request is done.
     */
    public void retire(Pool next) {
        successor = next;
        stopAccepting();
        bag.read(WorkerBag::idleCopy).forEach(w -> children.leave(w, Signals.SIGTERM, false));
    }

    /**
     * Stop: every worker leaves now, as an idle one does (connection closed, then
     * {@code signal}). SIGTERM for a graceful stop: php-cgi only notes it while it waits on a
     * kept connection (it retries the interrupted read), hence the close. SIGKILL for a fast
     * stop: php-fpm's children leave SIGTERM at its default action and die of it at once,
     * where php-cgi catches it and unloads its modules, or runs a busy script on.
     */
    public void terminate(int signal) {
        snapshot().forEach(w -> children.leave(w, signal, false));
        if (parent == null) {
            return;
        }
        if (signal == Signals.SIGKILL) {
            parent.kill();
        } else {
            parent.stop(); // at once, not after its last child: its SIGTERM reaches every child in parallel
        }
    }

    /** Sends {@code signal} to every live worker. */
    public void signalAll(int signal) {
        for (Worker w : snapshot()) {
            Children.signal(w, signal);
        }
        if (parent != null && signal == Signals.SIGKILL) {
            parent.kill();
        }
    }

    /** Live workers (connected ones), for signals, timeouts and shutdown; the status page reads {@link #processes()}. */
    public List<Worker> snapshot() {
        return bag.read(WorkerBag::workersCopy);
    }

    /**
     * The live workers and those forked but not yet listening, read together (a worker moves
     * from one list to the other as it connects): the status page counts both, as php-fpm
     * counts a child from its fork.
     */
    public record Processes(List<Worker> workers, List<WorkerProcess.Spawned> spawning) {
        public int total() {
            return workers.size() + spawning.size();
        }
    }

    public Processes processes() {
        return bag.read(b -> new Processes(b.workersCopy(), children.spawnedCopy()));
    }

    /** Number of workers busy with a request right now. */
    public int activeCount() {
        return bag.count(WorkerBag::active);
    }

    /** Workers waiting for a request now (starting ones not included). */
    public int idleCount() {
        return bag.count(WorkerBag::idleSize);
    }

    /** µs the oldest waiting request has waited for a worker; 0 when none waits. */
    public long oldestWaitMicros() {
        return bag.read(WorkerBag::oldestWaitMicros);
    }

    /** Requests waiting for a worker now: jfpm's {@code listen queue}. */
    public int queueLength() {
        return bag.count(WorkerBag::waiting);
    }

    /** Whether a request is being served or waits for a worker. */
    public boolean isBusy() {
        return bag.read(WorkerBag::busy);
    }

    /** Whether any worker process is still running or starting (a shared pool's php-cgi parent included). */
    public boolean hasLiveWorkers() {
        return !noWorkers() || (parent != null && parent.isAlive());
    }

    private boolean noWorkers() {
        return bag.read(b -> b.connected() == 0 && children.starting() == 0);
    }

    /** A stopping pool's shared parent goes once its last worker has: it takes its idle children with it. */
    void stopParentWhenDone() {
        if (parent != null && bag.isStopping() && noWorkers()) {
            parent.stop();
        }
    }

    /**
     * The shared parent died (SharedParent has sent SIGTERM to its orphaned children): every
     * worker is one of them, so none serves again; the pool's next start forks a new parent.
     */
    private void parentExited() {
        log().warning(parent.describeExit() + ": its children stop, a new parent starts");
        for (Worker w : snapshot()) {
            w.markBroken();
            if (bag.read(b -> b.isIdle(w))) {
                children.discard(w);
            }
        }
    }
}
