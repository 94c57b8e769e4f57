package org.jfpm.pool;

import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.log.Log;

/**
 * {@code process.max}: the worker processes of all pools together (php-fpm's
 * {@code fpm_globals.running_children} checked in fpm_children_make). A slot is
 * taken before a worker is started and given back when its process has exited
 * (or its start failed). The master creates one and gives it to every pool.
 */
public final class ProcessLimit {
    static final String WARNING = "The maximum number of processes has been reached. Please review your "
            + "configuration and consider raising 'process.max'";

    private final int max;
    private final AtomicInteger running = new AtomicInteger();
    /** php-fpm's static {@code warned} in fpm_children_make: once until a worker starts again. */
    private volatile boolean warned;

    /** @param max process.max; 0 = no limit */
    public ProcessLimit(int max) {
        this.max = max;
    }

    public static ProcessLimit unlimited() {
        return new ProcessLimit(0);
    }

    /** Takes a slot for a new worker; false (after the warning, once per episode) when none is left. */
    boolean tryAcquire() {
        if (max <= 0) {
            running.incrementAndGet();
            return true;
        }
        int n;
        do {
            n = running.get();
            if (n >= max) {
                if (!warned) {
                    warned = true;
                    Log.warning(WARNING);
                }
                return false;
            }
        } while (!running.compareAndSet(n, n + 1));
        warned = false;
        return true;
    }

    void release() {
        running.decrementAndGet();
    }

    /** Worker processes of all pools, starting and exiting ones included. */
    public int running() {
        return running.get();
    }
}
