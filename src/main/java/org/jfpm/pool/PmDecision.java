package org.jfpm.pool;

import org.jfpm.log.PoolLog;

/**
 * The arithmetic of php-fpm's process manager (fpm_process_ctl.c,
 * {@code fpm_pctl_perform_idle_server_maintenance} and
 * {@code fpm_pctl_on_socket_accept}), pure: given the counts, the spawn rate,
 * the once-per-episode flag and the clock, it says how many workers to start,
 * whether to retire the oldest idle one, and which warning to print. It starts
 * and kills nothing; {@link PoolMaintenance} and {@link Pool} do.
 *
 * <p>Counts are php-fpm's: a worker being started counts as running and idle
 * (php-fpm's freshly forked child is idle at once); a worker on its way out
 * (killed, retired) counts as running until it has exited, and as neither
 * idle nor active.
 *
 * @param spawn           workers to start now (0 or more)
 * @param killOldestIdle  retire the idle worker with the oldest start time
 * @param warning         a WARNING line to log, exact php-fpm text, or null
 * @param countReached    the warning is one php-fpm counts in {@code max children reached}
 * @param state           the pool's pm state for the next decision
 */
public record PmDecision(int spawn, boolean killOldestIdle, String warning, boolean countReached, State state) {

    /**
     * What php-fpm keeps per pool between ticks: {@code idle_spawn_rate} (1, 2, 4 ...
     * up to pm.max_spawn_rate) and {@code warn_max_children} (the max_children warning
     * was printed in this episode; cleared by the next spawn).
     */
    public record State(int spawnRate, boolean maxChildrenWarned) {
        public static final State INITIAL = new State(1, false);
    }

    /**
     * A pool's workers at one instant.
     *
     * @param idle     idle workers, those being started included
     * @param active   workers serving a request
     * @param running  every worker process the pool has: idle, active, starting and leaving
     */
    public record Counts(int idle, int active, int running) {}

    /** The dynamic pm's settings. */
    public record Dynamic(String pool, int maxChildren, int minSpare, int maxSpare, int maxSpawnRate) {}

    private static PmDecision nothing(State state) {
        return new PmDecision(0, false, null, false, state);
    }

    /**
     * One tick of pm = dynamic (fpm_pctl_perform_idle_server_maintenance in sapi/fpm/fpm/fpm_process_ctl.c).
     *
     * @param hasIdleWorker  an idle worker exists that could be retired (not one still starting)
     */
    public static PmDecision dynamicTick(Dynamic pm, Counts c, boolean hasIdleWorker, State s) {
        if (c.idle() > pm.maxSpare() && hasIdleWorker) {
            return new PmDecision(0, true, null, false, new State(1, s.maxChildrenWarned()));
        }
        if (c.idle() >= pm.minSpare()) {
            return nothing(new State(1, s.maxChildrenWarned()));
        }
        if (c.running() >= pm.maxChildren()) {
            return maxChildrenReached(pm, s);
        }
        String busy = s.spawnRate() >= 8 ? PoolLog.prefixed(pm.pool(), "seems busy (you may need to increase "
                + "pm.start_servers, or pm.min/max_spare_servers), spawning " + s.spawnRate()
                + " children, there are " + c.idle() + " idle, and " + c.running() + " total children") : null;
        int n = Math.min(Math.min(s.spawnRate(), pm.minSpare() - c.idle()), pm.maxChildren() - c.running());
        if (n <= 0) {
            // not reachable with idle < min_spare and running < max_children; php-fpm keeps the branch
            return maxChildrenReached(pm, s);
        }
        int rate = s.spawnRate() < pm.maxSpawnRate() ? s.spawnRate() * 2 : s.spawnRate();
        return new PmDecision(n, false, busy, false, new State(rate, false));
    }

    private static PmDecision maxChildrenReached(Dynamic pm, State s) {
        if (s.maxChildrenWarned()) {
            return nothing(new State(1, true));
        }
        return new PmDecision(0, false, PoolLog.prefixed(pm.pool(), "server reached pm.max_children setting ("
                + pm.maxChildren() + "), consider raising it"), true, new State(1, true));
    }

    /**
     * One tick of pm = ondemand (the same function's ondemand branch, and
     * fpm_pctl_on_socket_accept): the oldest-started idle worker is
     * retired when its last activity is more than pm.process_idle_timeout ago.
     *
     * @param oldestIdleLastActiveNanos  last activity of the idle worker with the oldest
     *                                   start time, or null when no worker is idle
     */
    public static PmDecision ondemandTick(Long oldestIdleLastActiveNanos, long nowNanos, long idleTimeoutNanos,
                                          State s) {
        boolean kill = oldestIdleLastActiveNanos != null && nowNanos - oldestIdleLastActiveNanos > idleTimeoutNanos;
        return new PmDecision(0, kill, null, false, s);
    }

    /**
     * pm = ondemand, a request has to wait for a worker (php-fpm: the listening socket
     * became readable): start one unless max_children are running (then warn, once per
     * episode) or enough are already starting for the requests waiting.
     *
     * @param waiting  requests waiting for a worker, this one included
     * @param starting workers being started
     */
    public static PmDecision ondemandRequestWaiting(String pool, int maxChildren, Counts c, int waiting,
                                                    int starting, State s) {
        if (c.running() >= maxChildren) {
            if (s.maxChildrenWarned()) {
                return nothing(s);
            }
            return new PmDecision(0, false, PoolLog.prefixed(pool, "server reached max_children setting ("
                    + maxChildren + "), consider raising it"), true, new State(s.spawnRate(), true));
        }
        if (c.idle() > starting || starting >= waiting) {
            return nothing(s); // an idle worker (or one on its way) will take it
        }
        return new PmDecision(1, false, null, false, new State(s.spawnRate(), false));
    }
}
