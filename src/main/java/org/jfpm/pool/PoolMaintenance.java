package org.jfpm.pool;

import org.jfpm.log.PoolLog;
import org.jfpm.config.Pm;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.os.Signals;

/**
 * A pool's process manager (php-fpm's fpm_process_ctl.c): the once-a-second heartbeat,
 * {@code fpm_pctl_perform_idle_server_maintenance}, on one virtual thread per pool,
 * never on the request path, and the ondemand start when a request has to wait,
 * {@code fpm_pctl_on_socket_accept}. Under the bag's lock it counts the workers,
 * {@link PmDecision} decides, the victim leaves the idle stack and the starts are
 * reserved; out of the lock it carries the decision out: the debug line php-fpm
 * prints, the warning, the kill (one idle worker at most) and the starts. A static
 * pool's tick decides nothing; its exits are replaced as they happen.
 *
 * <p>Between decisions it keeps php-fpm's per-pool {@link PmDecision.State}: the spawn
 * rate and whether the max_children warning was printed in this episode.
 */
final class PoolMaintenance {
    private static final long TICK_NANOS = 1_000_000_000L;

    private final Pool pool;
    private final WorkerBag bag;
    private final Children children;
    /** Guarded by the bag's lock. */
    private PmDecision.State pmState = PmDecision.State.INITIAL;
    private volatile Thread thread;

    /** What one tick decided under the lock, carried out after it. */
    private record Tick(PmDecision decision, PmDecision.Counts counts, Worker victim, int reserved, int spawnRate) {}

    PoolMaintenance(Pool pool, WorkerBag bag, Children children) {
        this.pool = pool;
        this.bag = bag;
        this.children = children;
    }

    /** Starts the heartbeat; {@link #stop} ends it. */
    void start() {
        thread = Thread.ofVirtual().name("pm-" + pool.name()).start(this::run);
    }

    void stop() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        long next = System.nanoTime() + TICK_NANOS;
        try {
            while (!pool.isStopping()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next += TICK_NANOS;
                try {
                    tick(pool.clock().getAsLong());
                } catch (RuntimeException e) {
                    pool.log().error("process manager tick failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            // the pool is stopping
        }
    }

    /** One heartbeat at {@code now} ({@link System#nanoTime}): jfpm.max_lifetime first, then the pm. */
    void tick(long now) {
        pool.recycleAged(now);
        Tick t = decide(now);
        if (t == null || t.decision() == null) {
            return;
        }
        PmDecision.Counts c = t.counts();
        String name = pool.name();
        Pm pm = pool.config().pm();
        if (Log.enabled(Level.DEBUG)) {
            Log.debug(pm == Pm.DYNAMIC
                    ? PoolLog.prefixed(name, "currently " + c.active() + " active children, " + c.idle()
                            + " spare children, " + c.running() + " running children. Spawning rate " + t.spawnRate())
                    : PoolLog.prefixed(name, "currently " + c.active() + " active children, " + c.idle()
                            + " spare children"));
        }
        PmDecision d = t.decision();
        if (d.countReached()) { // counted first: whoever reads the warning finds it counted
            pool.scoreboard().countMaxChildrenReached();
        }
        if (d.warning() != null) {
            Log.warning(d.warning());
        }
        if (t.victim() != null) {
            children.leave(t.victim(), Signals.SIGTERM, true); // not replaced
        }
        if (t.reserved() > 0) {
            children.launch(t.reserved(), Level.DEBUG); // pm forks log "started" at DEBUG
            if (pm == Pm.DYNAMIC) {
                pool.log().debug(t.reserved() + " child(ren) have been created dynamically");
            } else {
                pool.log().debug("got accept without idle child available .... I forked");
            }
        }
    }

    /**
     * Under the lock: counts the workers, asks {@link PmDecision}, takes the victim out of
     * the idle stack and reserves the workers to start; null when the pool stops.
     */
    private Tick decide(long nowNanos) {
        PoolConfig config = pool.config();
        bag.lock.lock();
        try {
            if (bag.isStopping()) {
                return null;
            }
            PmDecision.Counts counts = counts();
            Worker oldest = bag.oldestIdle();
            int rate = pmState.spawnRate();
            PmDecision d = switch (config.pm()) {
                case STATIC -> null;
                case DYNAMIC -> PmDecision.dynamicTick(new PmDecision.Dynamic(pool.name(), config.pmMaxChildren(),
                        config.pmMinSpareServers(), config.pmMaxSpareServers(), config.pmMaxSpawnRate()),
                        counts, oldest != null, pmState);
                case ONDEMAND -> {
                    PmDecision kill = PmDecision.ondemandTick(oldest == null ? null : oldest.lastActiveNanos(),
                            nowNanos, config.pmProcessIdleTimeout() * 1_000_000_000L, pmState);
                    if (kill.killOldestIdle() || bag.waiting() == 0) {
                        yield kill;
                    }
                    // php-fpm re-arms its listening-socket event every tick: requests still
                    // waiting (a spawn refused by process.max, a failed start) ask again
                    yield PmDecision.ondemandRequestWaiting(pool.name(), config.pmMaxChildren(), counts,
                            bag.waiting(), children.starting(), pmState);
                }
            };
            if (d == null) {
                return new Tick(null, counts, null, 0, rate);
            }
            pmState = d.state();
            Worker victim = d.killOldestIdle() && oldest != null && bag.removeIdle(oldest) ? oldest : null;
            int reserved = children.reserve(d.spawn());
            return new Tick(d, counts, victim, reserved, rate);
        } finally {
            bag.lock.unlock();
        }
    }

    /**
     * Under the lock, pm = ondemand: a request has joined the queue. Returns what to do
     * once the lock is released (warn, count, start), or null for nothing.
     */
    Runnable requestQueued() {
        PmDecision d = PmDecision.ondemandRequestWaiting(pool.name(), pool.config().pmMaxChildren(), counts(),
                bag.waiting(), children.starting(), pmState);
        pmState = d.state();
        if (d.warning() == null && d.spawn() == 0) {
            return null;
        }
        int reserved = children.reserve(d.spawn());
        return () -> {
            if (d.countReached()) { // counted first: whoever reads the warning finds it counted
                pool.scoreboard().countMaxChildrenReached();
            }
            if (d.warning() != null) {
                Log.warning(d.warning());
            }
            if (reserved > 0) {
                children.launch(reserved, Level.DEBUG);
                pool.log().debug("got accept without idle child available .... I forked");
            }
        };
    }

    /** Under the lock: php-fpm's counts, a starting worker counted as running and idle. */
    private PmDecision.Counts counts() {
        int starting = children.starting();
        return new PmDecision.Counts(bag.idleSize() + starting, bag.active(), bag.connected() + starting);
    }
}
