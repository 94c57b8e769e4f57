package org.jfpm.master;

import org.jfpm.log.Level;
import org.jfpm.log.Log;

/**
 * Keeps the master's Java heap near what it holds. With SerialGC and a 2 MB young
 * generation, what lives through a few young collections (a parked connection's
 * virtual-thread stack, a reload's objects) is promoted, and SerialGC grows the old
 * generation with it, up to {@code -Xmx}, before it collects it: slow peers under load
 * took the heap to 67 MB with 9 MB of it live. Once a second this looks at the heap in
 * use and, past {@link #BOUND_BYTES} and twice what the last collection left, runs a full
 * collection, which also gives the grown heap back to the system. The bound is above the
 * launcher's 16 MB initial heap, so under a usual load, where SerialGC collects the old
 * generation at that size itself, the watch does nothing; it acts once the heap has
 * grown. A full collection of a heap this size takes a few milliseconds.
 */
final class HeapWatch {
    static final long BOUND_BYTES = 18L << 20;
    private static final long PERIOD_MILLIS = 1000;

    private HeapWatch() {}

    static void start() {
        Thread.ofVirtual().name("heap-watch").start(HeapWatch::run);
    }

    private static void run() {
        Runtime rt = Runtime.getRuntime();
        long live = 0;
        try {
            while (true) {
                Thread.sleep(PERIOD_MILLIS);
                long used = rt.totalMemory() - rt.freeMemory();
                if (used > Math.max(BOUND_BYTES, 2 * live)) {
                    System.gc();
                    live = rt.totalMemory() - rt.freeMemory();
                    if (Log.enabled(Level.DEBUG)) {
                        Log.debug("heap: " + (used >> 10) + " KB in use, " + (live >> 10) + " KB after a full collection");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
