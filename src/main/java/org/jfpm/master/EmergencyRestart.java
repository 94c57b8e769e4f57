package org.jfpm.master;

import java.util.ArrayDeque;
import org.jfpm.os.Signals;

/**
 * php-fpm's emergency_restart_threshold / emergency_restart_interval
 * (fpm_children.c): when the last N workers that died of SIGSEGV or SIGBUS all
 * died within the interval, the master reloads. Pure bookkeeping: the caller
 * logs and reloads when {@link #workerDied} says so.
 */
final class EmergencyRestart {
    private final int threshold;
    private final long intervalNanos;
    private final ArrayDeque<Long> deaths = new ArrayDeque<>();

    EmergencyRestart(int threshold, int intervalSeconds) {
        this.threshold = threshold;
        this.intervalNanos = intervalSeconds * 1_000_000_000L;
    }

    boolean enabled() {
        return threshold > 0 && intervalNanos > 0;
    }

    /** Records a worker's death by {@code signal} at {@code nowNanos}; true when the threshold is reached. */
    synchronized boolean workerDied(int signal, long nowNanos) {
        if (!enabled() || (signal != Signals.SIGSEGV && signal != Signals.SIGBUS)) {
            return false;
        }
        deaths.addLast(nowNanos);
        if (deaths.size() > threshold) {
            deaths.removeFirst();
        }
        if (deaths.size() == threshold && nowNanos - deaths.getFirst() <= intervalNanos) {
            deaths.clear();
            return true;
        }
        return false;
    }

    /** php-fpm's warning text. */
    String warning() {
        return "failed processes threshold (" + threshold + " in " + intervalNanos / 1_000_000_000L
                + " sec) is reached, initiating reload";
    }
}
