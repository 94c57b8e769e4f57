package org.jfpm.pool;

import org.jfpm.config.Pm;
import org.jfpm.log.Level;
import org.jfpm.log.Log;

/**
 * A pool's once-a-second process management (php-fpm's PM heartbeat,
 * {@code fpm_pctl_perform_idle_server_maintenance}): one virtual thread per
 * pool, never on the request path. Each tick the pool counts its workers and
 * {@link PmDecision} decides; this class carries the decision out: the
 * debug line php-fpm prints, the warning, the kill (one idle worker at most)
 * and the starts. A static pool's tick decides nothing; its exits are
 * replaced as they happen.
 */
final class PoolMaintenance {
    private static final long TICK_NANOS = 1_000_000_000L;

    private final Pool pool;
    private final Thread thread;

    private PoolMaintenance(Pool pool) {
        this.pool = pool;
        this.thread = Thread.ofVirtual().name("pm-" + pool.name()).unstarted(this::run);
    }

    static PoolMaintenance start(Pool pool) {
        PoolMaintenance m = new PoolMaintenance(pool);
        m.thread.start();
        return m;
    }

    void stop() {
        thread.interrupt();
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
                    tick();
                } catch (RuntimeException e) {
                    Log.error("[pool " + pool.name() + "] process manager tick failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            // the pool is stopping
        }
    }

    private void tick() {
        long now = System.nanoTime();
        pool.recycleAged(now);
        Pool.Tick t = pool.tick(now);
        if (t == null || t.decision() == null) {
            return;
        }
        PmDecision.Counts c = t.counts();
        String name = pool.name();
        if (Log.enabled(Level.DEBUG)) {
            Log.debug(pool.config().pm() == Pm.DYNAMIC
                    ? "[pool " + name + "] currently " + c.active() + " active children, " + c.idle()
                            + " spare children, " + c.running() + " running children. Spawning rate " + t.spawnRate()
                    : "[pool " + name + "] currently " + c.active() + " active children, " + c.idle()
                            + " spare children");
        }
        PmDecision d = t.decision();
        if (d.warning() != null) {
            Log.warning(d.warning());
        }
        if (d.countReached()) {
            pool.scoreboard().countMaxChildrenReached();
        }
        if (t.victim() != null) {
            pool.pmKill(t.victim());
        }
        if (t.reserved() > 0) {
            pool.launchReserved(t.reserved());
            if (pool.config().pm() == Pm.DYNAMIC) {
                Log.debug("[pool " + name + "] " + t.reserved() + " child(ren) have been created dynamically");
            } else {
                Log.debug("[pool " + name + "] got accept without idle child available .... I forked");
            }
        }
    }
}
