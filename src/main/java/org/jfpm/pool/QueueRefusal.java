package org.jfpm.pool;

/**
 * A request the pool will not queue (jfpm.queue_limit) or will not let wait longer
 * (jfpm.queue_timeout): the master answers it 503 itself.
 */
public final class QueueRefusal extends Exception {
    /** Which bound turned the request away. */
    public enum Reason { TIMEOUT, FULL }

    QueueRefusal(String message) {
        super(message, null, false, false);
    }
}
