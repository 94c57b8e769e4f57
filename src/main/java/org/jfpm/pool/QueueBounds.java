package org.jfpm.pool;

import org.jfpm.log.PoolLog;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jfpm.log.Log;

/**
 * jfpm.queue_limit and jfpm.queue_timeout of one pool: whether a request may join the
 * queue, how long it may wait, and the refusal when it may not (counted, and said in
 * the log at most once a second, in php-fpm's tone).
 */
final class QueueBounds {
    private final String pool;
    private final int maxChildren;
    private final int limit;
    private final long timeoutNanos;
    private final Scoreboard scoreboard;
    private final LongSupplier clock;
    private final AtomicLong lastWarning = new AtomicLong();

    /** @param clock {@link System#nanoTime} in production */
    QueueBounds(String pool, int maxChildren, int limit, long timeoutNanos, Scoreboard scoreboard, LongSupplier clock) {
        this.pool = pool;
        this.maxChildren = maxChildren;
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.scoreboard = scoreboard;
        this.clock = clock;
    }

    /** Whether a request may wait behind {@code waiting} others. */
    boolean admits(int waiting) {
        return limit <= 0 || waiting < limit;
    }

    /** When a request that began waiting at {@code sinceNanos} is refused; 0 for never. */
    long deadline(long sinceNanos) {
        return timeoutNanos > 0 ? sinceNanos + timeoutNanos : 0;
    }

    QueueRefusal full(int waiting) {
        return refuse(QueueRefusal.Reason.FULL, waiting + " requests queued (jfpm.queue_limit)");
    }

    QueueRefusal timedOut() {
        long millis = timeoutNanos / 1_000_000;
        return refuse(QueueRefusal.Reason.TIMEOUT,
                "request queued for " + (millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms"));
    }

    private QueueRefusal refuse(QueueRefusal.Reason reason, String what) {
        scoreboard.countQueueRefusal(reason);
        String text = PoolLog.prefixed(pool, "server reached pm.max_children setting (" + maxChildren + "), " + what
                + ": answered 503");
        long now = clock.getAsLong();
        long last = lastWarning.get();
        if ((last == 0 || now - last >= 1_000_000_000L) && lastWarning.compareAndSet(last, now)) {
            Log.warning(text);
        }
        return new QueueRefusal(text);
    }
}
