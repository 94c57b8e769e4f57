package org.jfpm.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

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
    private final AtomicLong queueTimeouts = new AtomicLong();
    private final AtomicLong queueRejected = new AtomicLong();
    private final AtomicLongArray recycles = new AtomicLongArray(Recycle.values().length);
    private final Histogram requestDuration = new Histogram();
    private final Histogram queueWait = new Histogram();

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

    /** Requests answered 503 after waiting jfpm.queue_timeout for a worker. */
    public long queueTimeouts() {
        return queueTimeouts.get();
    }

    /** Requests answered 503 at once because jfpm.queue_limit requests were already waiting. */
    public long queueRejected() {
        return queueRejected.get();
    }

    /** Workers replaced for {@code reason}. */
    public long recycles(Recycle reason) {
        return recycles.get(reason.ordinal());
    }

    /** How long workers took over requests: from the request reaching the worker to its END_REQUEST. */
    public Histogram requestDuration() {
        return requestDuration;
    }

    /** How long requests waited for a worker (0 for those that found one idle). */
    public Histogram queueWait() {
        return queueWait;
    }

    void countQueueRefusal(QueueRefusal.Reason reason) {
        (reason == QueueRefusal.Reason.TIMEOUT ? queueTimeouts : queueRejected).incrementAndGet();
    }

    void countRecycle(Recycle reason) {
        recycles.incrementAndGet(reason.ordinal());
    }
}
