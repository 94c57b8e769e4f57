package org.jfpm.pool;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A latency histogram with fixed buckets from 5 ms to 60 s (Prometheus's default ladder,
 * stretched to a minute), cumulative when read, as the OpenMetrics histogram type wants
 * it. Recording costs a short scan and two atomic adds, with no lock.
 */
public final class Histogram {
    /** Upper bounds in seconds, ascending; the implicit last bucket is +Inf. */
    public static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS.length + 1);
    private final LongAdder sumNanos = new LongAdder();

    /** Counts one observation of {@code nanos} (negative counts as 0). */
    public void observe(long nanos) {
        long n = Math.max(0, nanos);
        int i = 0;
        while (i < BOUND_NANOS.length && n > BOUND_NANOS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumNanos.add(n);
    }

    /** A consistent-enough reading: cumulative counts per bound (the last is +Inf, the total) and the sum. */
    public Reading read() {
        long[] cumulative = new long[BOUNDS.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += counts.get(i);
            cumulative[i] = running;
        }
        return new Reading(cumulative, sumNanos.sum() / 1e9);
    }

    /**
     * Counts at or below each of {@link #BOUNDS} then +Inf, and the sum of what was observed in
     * seconds.
     */
    public record Reading(long[] cumulative, double sumSeconds) {
        public long count() {
            return cumulative[cumulative.length - 1];
        }

        /** The smallest bound holding at least {@code q} of the observations (+Inf as infinity); NaN when empty. */
        public double quantileBound(double q) {
            long total = count();
            if (total == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(q * total);
            for (int i = 0; i < BOUNDS.length; i++) {
                if (cumulative[i] >= rank) {
                    return BOUNDS[i];
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }
}
