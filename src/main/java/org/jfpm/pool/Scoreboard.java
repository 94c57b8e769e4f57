package org.jfpm.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool's counters (php-fpm's fpm_scoreboard.c), exact because the master sees
 * every request begin and end. Per-worker data lives on each {@link Worker};
 * the status page reads both without stopping anyone.
 */
public final class Scoreboard {
    private final long startMillis = System.currentTimeMillis();
    private final AtomicLong acceptedConn = new AtomicLong();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final AtomicInteger maxListenQueue = new AtomicInteger();
    private final AtomicLong maxChildrenReached = new AtomicLong();
    private final AtomicLong slowRequests = new AtomicLong();

    /** When the pool started (or was last reloaded), epoch milliseconds. */
    public long startMillis() {
        return startMillis;
    }

    /** Requests begun, php-fpm's {@code accepted conn}. */
    public long acceptedConn() {
        return acceptedConn.get();
    }

    public int maxActive() {
        return maxActive.get();
    }

    public int maxListenQueue() {
        return maxListenQueue.get();
    }

    public long maxChildrenReached() {
        return maxChildrenReached.get();
    }

    public long slowRequests() {
        return slowRequests.get();
    }

    public void requestAccepted() {
        acceptedConn.incrementAndGet();
    }

    void active(int active) {
        maxActive.accumulateAndGet(active, Math::max);
    }

    void queued(int length) {
        maxListenQueue.accumulateAndGet(length, Math::max);
    }

    public void countMaxChildrenReached() {
        maxChildrenReached.incrementAndGet();
    }

    public void countSlowRequest() {
        slowRequests.incrementAndGet();
    }
}
