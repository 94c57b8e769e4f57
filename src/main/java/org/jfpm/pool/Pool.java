package org.jfpm.pool;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.jfpm.config.Pm;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.worker.SharedParent;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * One pool: its workers, the FIFO queue of requests waiting for one, and the
 * starting, retiring and replacing of workers (php-fpm's fpm_children.c).
 *
 * <p>The hot path is {@link #acquire} and {@link #release}: a short critical
 * section under the pool's lock. A worker coming back is handed straight to
 * the oldest waiter; otherwise it goes on top of the idle stack, so the most
 * recently used (warmest) worker serves next. Starting, replacing and
 * killing workers happen on other threads, never on the request path; the
 * only work {@link #release} adds is retiring a worker that has served
 * pm.max_requests, and {@link #acquire} asks for an ondemand spawn only when
 * the request has to wait anyway.
 *
 * <p>What the process manager decides is {@link PmDecision}'s arithmetic; the
 * once-a-second tick is {@link PoolMaintenance}, which calls {@link #tick}.
 */
public final class Pool {
    /** How long a signalled worker has to exit before SIGKILL (php-fpm sends SIGKILL when it picks the child again). */
    private static final long KILL_GRACE_SECONDS = 3;

    private final PoolConfig config;
    private final WorkerSpec spec;
    /** The php-cgi parent whose children are this pool's workers (shared opcache), or null: one process each. */
    private final SharedParent parent;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong socketSeq = new AtomicLong();
    private final Scoreboard scoreboard = new Scoreboard();
    private final ProcessLimit processLimit;
    private final int maxRequests;
    private final QueueBounds bounds;
    /** jfpm.max_memory and jfpm.max_lifetime; null when neither is set. */
    private final Recycling recycling;
    private volatile boolean stopping;
    /** After a reload: the pool that serves this pool's listener now; requests still arriving here go there. */
    private volatile Pool successor;
    /** Workers being started: counted as running and idle, as php-fpm counts a child just forked. */
    private int starting;
    /** Those of the starting workers already forked, not yet listening: shown on the status page as Idle. */
    private final List<WorkerProcess.Spawned> spawned = new ArrayList<>();
    /** Signalled when the last starting worker has connected or failed. */
    private final Condition startsDone = lock.newCondition();
    /** Workers in {@code workers} on their way out (see {@link Worker}): running, neither idle nor active. */
    private int leaving;
    private PmDecision.State pmState = PmDecision.State.INITIAL;
    private PoolMaintenance maintenance;
    /** Told the signal number each time a worker dies of a signal nobody sent it (emergency_restart_*). */
    private volatile java.util.function.IntConsumer signalDeaths = signal -> { };

    /** A request waiting for a worker; the releasing thread fills {@code worker} and unparks it. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long since = System.nanoTime();
        volatile Worker worker;
    }

    public Pool(PoolConfig config, WorkerSpec spec, ProcessLimit processLimit) {
        this(config, spec, processLimit, null);
    }

    /** A pool whose workers are {@code parent}'s children, or one php-cgi each when it is null. */
    public Pool(PoolConfig config, WorkerSpec spec, ProcessLimit processLimit, SharedParent parent) {
        this.config = config;
        this.spec = spec;
        this.processLimit = processLimit;
        this.maxRequests = config.pmMaxRequests();
        this.bounds = new QueueBounds(config.name(), config.pmMaxChildren(), config.queueLimit(),
                config.queueTimeoutMillis() * 1_000_000, scoreboard);
        this.recycling = config.maxMemoryBytes() > 0 || config.maxLifetimeMillis() > 0
                ? new Recycling(config.maxMemoryBytes(), config.maxLifetimeMillis() * 1_000_000) : null;
        this.parent = parent;
        if (parent != null) {
            parent.onUnexpectedExit(this::parentExited);
        }
    }

    /** Whether the workers are children of one php-cgi parent sharing its opcache. */
    public boolean sharesOpcache() {
        return parent != null;
    }

    public String name() {
        return config.name();
    }

    /** Registers who hears of workers dying of a signal the master did not send (emergency restart). */
    public void onSignalDeath(java.util.function.IntConsumer observer) {
        signalDeaths = observer;
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
        if (stopping) {
            return acquireFromSuccessor(bounded);
        }
        Waiter waiter;
        Runnable ondemand = null;
        int queued = 0;
        lock.lock();
        try {
            if (stopping) {
                waiter = null; // raced with a reload or stop: handled below, outside the lock
            } else {
                Worker w = idle.pollFirst();
                if (w != null) {
                    scoreboard.active(workers.size() - idle.size() - leaving);
                    scoreboard.queueWait().observe(0);
                    return w;
                }
                queued = waiters.size();
                if (bounded && !bounds.admits(queued)) {
                    waiter = null;
                } else {
                    waiter = new Waiter();
                    waiters.addLast(waiter);
                    scoreboard.queued(waiters.size());
                    if (config.pm() == Pm.ONDEMAND) {
                        ondemand = ondemandDecision();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
        if (waiter == null) {
            if (!stopping) {
                throw bounds.full(queued);
            }
            return acquireFromSuccessor(bounded);
        }
        if (ondemand != null) {
            ondemand.run();
        }
        long deadline = bounded ? bounds.deadline(waiter.since) : 0;
        while (waiter.worker == null) {
            if (stopping) {
                cancel(waiter);
                return acquireFromSuccessor(bounded);
            }
            if (deadline == 0) {
                LockSupport.park(this);
            } else {
                long left = deadline - System.nanoTime();
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
        scoreboard.queueWait().observe(System.nanoTime() - waiter.since);
        return waiter.worker;
    }

    private Worker acquireFromSuccessor(boolean bounded) throws InterruptedException, QueueRefusal {
        Pool next = successor;
        return next != null ? next.acquire(bounded) : null;
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
        if (w.pool() != this) {
            w.pool().release(w); // taken from the successor of a pool replaced by a reload
            return;
        }
        if (w.isBroken()) {
            discard(w);
            if (w.hasExited()) {
                w.returnBuffer(); // its exit was seen while a front connection held it
            }
            return;
        }
        if (stopping) {
            leave(w, Signals.SIGTERM, false); // its request is done; a stopping pool serves no other
            return;
        }
        if (maxRequests > 0 && w.requests() >= maxRequests) {
            // php-fpm's child exits by itself after pm.max_requests; php-cgi is told never to
            // (PHP_FCGI_MAX_REQUESTS=0), so the master retires it here, between two requests
            scoreboard.countRecycle(Recycle.MAX_REQUESTS);
            leave(w, Signals.SIGTERM, false);
            return;
        }
        if (recycling != null) {
            Recycling.Verdict verdict = recycling.afterRequest(name(), w, System.nanoTime(), locked(() -> leaving) > 0);
            if (verdict != null) {
                recycle(w, verdict);
                return;
            }
        }
        offer(w);
    }

    /** Replaces a worker that is between two requests (out of the idle stack already): NOTICE, count, SIGTERM. */
    private void recycle(Worker w, Recycling.Verdict verdict) {
        Log.notice(verdict.notice());
        scoreboard.countRecycle(verdict.reason());
        leave(w, Signals.SIGTERM, false);
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
        lock.lock();
        try {
            if (stopping || leaving > 0) {
                return;
            }
            for (Worker w : idle) {
                Recycling.Verdict v = recycling.byAge(name(), w, nowNanos);
                if (v != null && (aged == null || w.startNanos() < aged.startNanos())) {
                    aged = w;
                    verdict = v;
                }
            }
            if (aged == null) {
                return;
            }
            idle.remove(aged); // no request can take it now
        } finally {
            lock.unlock();
        }
        recycle(aged, verdict);
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
            scoreboard.active(workers.size() - idle.size() - leaving);
        } finally {
            lock.unlock();
        }
        waiter.worker = w;
        LockSupport.unpark(waiter.thread);
    }

    private void discard(Worker w) {
        leave(w, Signals.SIGKILL, false);
    }

    /**
     * Takes a worker out of service: out of the idle stack, connection closed, then
     * {@code signal} (SIGTERM: php-cgi exits with code 0 once it has no request and no
     * connection; it ignores SIGQUIT, php-fpm's choice), SIGKILL a few seconds later if it
     * is still there. The pool replaces it when it has exited, unless the process manager
     * killed it.
     */
    private void leave(Worker w, int signal, boolean pmKill) {
        lock.lock();
        try {
            if (w.leaving || w.hasExited()) {
                return; // already going, or gone (exited() has counted it and closed its connection)
            }
            w.leaving = true;
            w.pmKilled = pmKill;
            leaving++;
            idle.remove(w);
        } finally {
            lock.unlock();
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

    /** Starts the initial workers (static: pm.max_children; dynamic: pm.start_servers; ondemand: none) and the tick. */
    public void start() {
        int initial = switch (config.pm()) {
            case STATIC -> config.pmMaxChildren();
            case DYNAMIC -> config.pmStartServers();
            case ONDEMAND -> 0;
        };
        if (parent != null) {
            // started now, so that even an ondemand pool's first request finds children forked
            Thread.ofVirtual().name("start-" + name()).start(() -> {
                try {
                    parent.start();
                } catch (WorkerProcess.StartException e) {
                    Log.error("[pool " + name() + "] php-cgi parent of the shared workers failed to start: "
                            + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        spawn(initial, Level.DEBUG);
        maintenance = PoolMaintenance.start(this);
    }

    /** Starts up to {@code n} workers, within pm.max_children and process.max; returns how many. */
    private int spawn(int n, Level level) {
        int reserved;
        lock.lock();
        try {
            reserved = reserve(n);
        } finally {
            lock.unlock();
        }
        launch(reserved, level);
        return reserved;
    }

    /** Under the lock: counts up to {@code n} workers as starting, each holding a process.max slot. */
    private int reserve(int n) {
        if (stopping) {
            return 0;
        }
        int room = Math.min(n, config.pmMaxChildren() - (workers.size() + starting));
        int reserved = 0;
        while (reserved < room && processLimit.tryAcquire()) {
            reserved++;
        }
        starting += reserved;
        return reserved;
    }

    /** Starts {@code n} reserved workers in the background; {@code level} is how their "started" lines are logged. */
    private void launch(int n, Level level) {
        for (int i = 0; i < n; i++) {
            Thread.ofVirtual().name("start-" + name()).start(() -> startReserved(level));
        }
    }

    private void startReserved(Level level) {
        if (stopping) {
            startFailed(null); // not started at all: the pool stopped while this start waited its turn
            return;
        }
        WorkerProcess.Spawned forked = null;
        try {
            WorkerProcess process;
            if (parent != null) {
                process = parent.connectChild();
            } else {
                // numbered, not named after the pool: php-cgi takes a path with ':' for host:port
                forked = WorkerProcess.spawn(spec, spec.runtimeDir().resolve(socketSeq.incrementAndGet() + ".sock"));
                lock.lock();
                try {
                    spawned.add(forked);
                } finally {
                    lock.unlock();
                }
                process = forked.connect();
            }
            Worker w = new Worker(this, process);
            boolean keep;
            lock.lock();
            try {
                spawned.remove(forked);
                startEnded();
                keep = !stopping;
                workers.add(w);
            } finally {
                lock.unlock();
            }
            Log.log(level, "[pool " + name() + "] child " + w.pid() + " started");
            process.onExit().thenRun(() -> exited(w));
            if (keep) {
                offer(w);
            } else {
                leave(w, Signals.SIGTERM, false); // started as the pool stopped: it leaves as the others did
            }
        } catch (WorkerProcess.StartException e) {
            startFailed(forked);
            Log.error("[pool " + name() + "] child " + (forked == null ? "" : forked.pid() + " ")
                    + "failed to start: " + e.getMessage());
            retryLater();
        } catch (InterruptedException e) {
            startFailed(forked);
            Thread.currentThread().interrupt();
        }
    }

    /** Gives back what {@link #reserve} took for a worker that did not start ({@code forked}: its process, if any). */
    private void startFailed(WorkerProcess.Spawned forked) {
        lock.lock();
        try {
            spawned.remove(forked);
            startEnded();
        } finally {
            lock.unlock();
        }
        processLimit.release();
    }

    /** Under the lock: one start has ended, connected or failed. */
    private void startEnded() {
        if (--starting == 0) {
            startsDone.signalAll();
        }
    }

    /**
     * Waits until no worker is starting, each having connected or failed, or until
     * {@code deadlineNanos} ({@link System#nanoTime}). The master says "ready to handle
     * connections" after it: ready means a request finds a worker listening, not one that
     * php-cgi is still starting.
     */
    public void awaitStarts(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            long left;
            while (starting > 0 && (left = deadlineNanos - System.nanoTime()) > 0) {
                startsDone.awaitNanos(left);
            }
        } finally {
            lock.unlock();
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
                lock.lock();
                try {
                    wanted = switch (config.pm()) {
                        case STATIC -> 1;
                        case ONDEMAND -> waiters.size() > starting ? 1 : 0;
                        case DYNAMIC -> 0;
                    };
                } finally {
                    lock.unlock();
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
        lock.lock();
        try {
            // a worker neither idle nor leaving between requests is held by a front connection (or
            // being handed to one; terminate() sends busy ones away too): its buffer is given back
            // when that connection releases it
            held = !idle.contains(w) && (!w.leaving || w.state() != WorkerState.IDLE);
            workers.remove(w);
            idle.remove(w);
            if (w.leaving) {
                leaving--;
            }
        } finally {
            lock.unlock();
        }
        processLimit.release();
        w.process().closeConnection();
        if (!held) {
            w.returnBuffer();
        }
        stopParentWhenDone();
        String after = " after " + ExitStatus.seconds(System.nanoTime() - w.process().startNanos())
                + " seconds from start";
        if (w.pmKilled) {
            Log.debug("[pool " + name() + "] child " + w.pid() + " has been killed by the process management" + after);
            return;
        }
        ExitStatus status = w.process().exitValue().isPresent()
                ? ExitStatus.fromExitValue(w.process().exitValue().getAsInt())
                : ExitStatus.afterSignal(w.lastSignal());
        if (status == null) {
            // a shared parent's child: php-cgi's parent reaped it, and the master sent it nothing
            Log.log(stopping ? Level.DEBUG : Level.WARNING, "[pool " + name() + "] child " + w.pid()
                    + " exited unexpectedly" + after + " (its exit status went to its php-cgi parent)");
        } else {
            Level level = stopping ? Level.DEBUG : status.clean() ? Level.NOTICE : Level.WARNING;
            Log.log(level, "[pool " + name() + "] child " + w.pid() + " " + status.describe() + after);
            if (status.signal() != 0 && !w.leaving && !stopping) {
                signalDeaths.accept(status.signal());
            }
        }
        if (!stopping) {
            // every pm re-forks after an exit it did not ask for (sapi/fpm/fpm/fpm_children.c, fpm_children_bury)
            spawn(1, Level.NOTICE);
        }
    }

    // ---------------------------------------------------------------- process manager

    /** What one tick decided, carried out of the lock by {@link PoolMaintenance}. */
    record Tick(PmDecision decision, PmDecision.Counts counts, Worker victim, int reserved, int spawnRate) {}

    /**
     * Under the lock: counts the workers, asks {@link PmDecision}, takes the victim
     * out of the idle stack and reserves the workers to start. Signals, starts and
     * log lines are left to the caller.
     */
    Tick tick(long nowNanos) {
        lock.lock();
        try {
            if (stopping) {
                return null;
            }
            PmDecision.Counts counts = counts();
            Worker oldest = oldestIdle();
            int rate = pmState.spawnRate();
            PmDecision d = switch (config.pm()) {
                case STATIC -> null;
                case DYNAMIC -> PmDecision.dynamicTick(new PmDecision.Dynamic(name(), config.pmMaxChildren(),
                        config.pmMinSpareServers(), config.pmMaxSpareServers(), config.pmMaxSpawnRate()),
                        counts, oldest != null, pmState);
                case ONDEMAND -> {
                    PmDecision kill = PmDecision.ondemandTick(oldest == null ? null : oldest.lastActiveNanos(),
                            nowNanos, config.pmProcessIdleTimeout() * 1_000_000_000L, pmState);
                    if (kill.killOldestIdle() || waiters.isEmpty()) {
                        yield kill;
                    }
                    // php-fpm re-arms its listening-socket event every tick: requests still
                    // waiting (a spawn refused by process.max, a failed start) ask again
                    yield PmDecision.ondemandRequestWaiting(name(), config.pmMaxChildren(), counts,
                            waiters.size(), starting, pmState);
                }
            };
            if (d == null) {
                return new Tick(null, counts, null, 0, rate);
            }
            pmState = d.state();
            Worker victim = d.killOldestIdle() && oldest != null && idle.remove(oldest) ? oldest : null;
            int reserved = reserve(d.spawn());
            return new Tick(d, counts, victim, reserved, rate);
        } finally {
            lock.unlock();
        }
    }

    /** Kills a worker the tick took out of the idle stack; it is not replaced. */
    void pmKill(Worker victim) {
        leave(victim, Signals.SIGTERM, true);
    }

    /** Starts workers {@link #tick} reserved; initial and pm forks log "started" at DEBUG. */
    void launchReserved(int n) {
        launch(n, Level.DEBUG);
    }

    /** Under the lock: an ondemand request waits; returns what to do once the lock is released. */
    private Runnable ondemandDecision() {
        PmDecision d = PmDecision.ondemandRequestWaiting(name(), config.pmMaxChildren(), counts(),
                waiters.size(), starting, pmState);
        pmState = d.state();
        if (d.warning() == null && d.spawn() == 0) {
            return null;
        }
        int reserved = reserve(d.spawn());
        return () -> {
            if (d.warning() != null) {
                Log.warning(d.warning());
            }
            if (d.countReached()) {
                scoreboard.countMaxChildrenReached();
            }
            if (reserved > 0) {
                launch(reserved, Level.DEBUG);
                Log.debug("[pool " + name() + "] got accept without idle child available .... I forked");
            }
        };
    }

    /** Under the lock. */
    private PmDecision.Counts counts() {
        return new PmDecision.Counts(idle.size() + starting, workers.size() - idle.size() - leaving,
                workers.size() + starting);
    }

    /** Under the lock: the idle worker with the oldest start time (php-fpm's last_idle_child), or null. */
    private Worker oldestIdle() {
        Worker oldest = null;
        for (Worker w : idle) {
            if (oldest == null || w.startNanos() < oldest.startNanos()) {
                oldest = w;
            }
        }
        return oldest;
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
        if (maintenance != null) {
            maintenance.stop();
        }
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
        List<Worker> idleNow;
        lock.lock();
        try {
            idleNow = List.copyOf(idle);
        } finally {
            lock.unlock();
        }
        idleNow.forEach(w -> leave(w, Signals.SIGTERM, false));
    }

    /**
     * Stop: every worker leaves now, as an idle one does (connection closed, SIGTERM). php-cgi
     * only notes a SIGTERM while it waits on a kept connection (it retries the interrupted
     * read), so without the close an idle worker would wait for the SIGKILL.
     */
    public void terminate() {
        snapshot().forEach(w -> leave(w, Signals.SIGTERM, false));
        if (parent != null) {
            parent.stop(); // at once, not after its last child: its SIGTERM reaches every child in parallel
        }
    }

    /** Sends {@code signal} to every live worker. */
    public void signalAll(int signal) {
        for (Worker w : snapshot()) {
            signal(w, signal);
        }
        if (parent != null && signal == Signals.SIGKILL) {
            parent.kill();
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

    /** Live workers (connected ones), for signals, timeouts and shutdown; the status page reads {@link #processes()}. */
    public List<Worker> snapshot() {
        lock.lock();
        try {
            return List.copyOf(workers);
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            return new Processes(List.copyOf(workers), List.copyOf(spawned));
        } finally {
            lock.unlock();
        }
    }

    /** Number of workers busy with a request right now. */
    public int activeCount() {
        return locked(() -> workers.size() - idle.size() - leaving);
    }

    /** Workers waiting for a request now (starting ones not included). */
    public int idleCount() {
        return locked(() -> idle.size());
    }

    /** Requests waiting for a worker now: jfpm's {@code listen queue}. */
    /** µs the oldest waiting request has waited for a worker; 0 when none waits. */
    public long oldestWaitMicros() {
        lock.lock();
        try {
            Waiter first = waiters.peekFirst();
            return first == null ? 0 : (System.nanoTime() - first.since) / 1000;
        } finally {
            lock.unlock();
        }
    }

    public int queueLength() {
        return locked(() -> waiters.size());
    }

    /** Whether a request is being served or waits for a worker. */
    public boolean isBusy() {
        return locked(() -> workers.size() - leaving > idle.size() || !waiters.isEmpty() ? 1 : 0) == 1;
    }

    /** Whether any worker process is still running or starting (a shared pool's php-cgi parent included). */
    public boolean hasLiveWorkers() {
        return locked(() -> !workers.isEmpty() || starting > 0 ? 1 : 0) == 1 || (parent != null && parent.isAlive());
    }

    /** A stopping pool's shared parent goes once its last worker has: it takes its idle children with it. */
    private void stopParentWhenDone() {
        if (parent != null && stopping && locked(() -> workers.isEmpty() && starting == 0 ? 1 : 0) == 1) {
            parent.stop();
        }
    }

    /**
     * The shared parent died (SharedParent has sent SIGTERM to its orphaned children): every
     * worker is one of them, so none serves again; the pool's next start forks a new parent.
     */
    private void parentExited() {
        Log.warning("[pool " + name() + "] " + parent.describeExit() + ": its children stop, a new parent starts");
        for (Worker w : snapshot()) {
            w.markBroken();
            lock.lock();
            boolean idleNow;
            try {
                idleNow = idle.contains(w);
            } finally {
                lock.unlock();
            }
            if (idleNow) {
                discard(w);
            }
        }
    }

    /** A count read under the pool's lock (the status page and the master's stop read these). */
    private int locked(java.util.function.IntSupplier count) {
        lock.lock();
        try {
            return count.getAsInt();
        } finally {
            lock.unlock();
        }
    }
}
