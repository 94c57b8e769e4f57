package org.jfpm.pool;

import org.jfpm.log.PoolLog;
import org.jfpm.os.ProcessUsage;

/**
 * jfpm.max_memory and jfpm.max_lifetime: whether a worker is to be replaced, asked only
 * between two requests (after one, or while it is idle), never during one. A worker over
 * its memory bound goes at once; one past its age goes only while no other worker of the
 * pool is on its way out, so that workers started together are replaced one after another
 * and the pool never loses them all at the same moment.
 */
final class Recycling {
    private final long maxMemoryBytes;
    private final long maxLifetimeNanos;

    Recycling(long maxMemoryBytes, long maxLifetimeNanos) {
        this.maxMemoryBytes = maxMemoryBytes;
        this.maxLifetimeNanos = maxLifetimeNanos;
    }

    /** Why a worker goes, and the NOTICE that says so. */
    record Verdict(Recycle reason, String notice) {
    }

    boolean byAge() {
        return maxLifetimeNanos > 0;
    }

    /**
     * After a request: the verdict for {@code w}, or null to keep it. Reads the worker's
     * resident memory from /proc only when jfpm.max_memory is set.
     */
    Verdict afterRequest(String pool, Worker w, long nowNanos, boolean anotherLeaving) {
        if (maxMemoryBytes > 0) {
            long resident = ProcessUsage.residentBytes(w.pid());
            if (resident > maxMemoryBytes) {
                return new Verdict(Recycle.MAX_MEMORY, PoolLog.prefixed(pool, "child " + w.pid() + " has "
                        + mebibytes(resident) + " resident, over jfpm.max_memory (" + mebibytes(maxMemoryBytes)
                        + "): replacing it"));
            }
        }
        return anotherLeaving ? null : byAge(pool, w, nowNanos);
    }

    /** For an idle worker: the verdict if it is past jfpm.max_lifetime, else null. */
    Verdict byAge(String pool, Worker w, long nowNanos) {
        long age = nowNanos - w.startNanos();
        if (maxLifetimeNanos <= 0 || age < maxLifetimeNanos) {
            return null;
        }
        return new Verdict(Recycle.MAX_LIFETIME, PoolLog.prefixed(pool, "child " + w.pid() + " is "
                + seconds(age) + " old, over jfpm.max_lifetime (" + seconds(maxLifetimeNanos) + "): replacing it"));
    }

    private static String mebibytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1fM", bytes / 1048576.0);
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3fs", nanos / 1e9);
    }
}
