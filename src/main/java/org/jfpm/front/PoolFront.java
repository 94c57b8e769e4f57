package org.jfpm.front;

import org.jfpm.pool.Pool;

/**
 * What the master's front keeps for one pool besides the {@link Pool} itself:
 * the listen backlog it reports as {@code listen queue len}. Shared by the
 * pool's listeners ({@code listen} and {@code pm.status_listen}).
 */
public final class PoolFront {
    private final Pool pool;
    private final int backlog;

    private PoolFront(Pool pool, int backlog) {
        this.pool = pool;
        this.backlog = backlog;
    }

    /** Prepares the pool's front; a failure is reported with php-fpm's message. */
    public static PoolFront open(Pool pool) throws Listener.BindFailure {
        int backlog = Math.min(Listener.backlog(pool.config().listenBacklog()), Listener.backlog(-1));
        return new PoolFront(pool, backlog);
    }

    public Pool pool() {
        return pool;
    }

    /** min(listen.backlog, somaxconn) as listen(2) applies it. */
    int backlog() {
        return backlog;
    }
}
