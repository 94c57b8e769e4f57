package org.jfpm.pool;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.fastcgi.Fcgi;

/**
 * The workers' direct response buffers, handed from a worker that has gone to the one
 * that replaces it. A direct buffer's memory is freed only when the collector finds its
 * owner unreachable, and a worker object lives long enough to reach the old generation,
 * which a small heap rarely collects: without reuse, workers killed or recycled one after
 * another leave their 128 KiB each behind until a full collection, tens of MB under a
 * stream of worker deaths. A few free ones are kept, no more.
 */
final class WorkerBuffers {
    /** Room for two largest records, so one read can take several small ones. */
    static final int SIZE = 2 * Fcgi.MAX_RECORD;
    private static final int KEEP = 16;
    private static final ConcurrentLinkedDeque<ByteBuffer> FREE = new ConcurrentLinkedDeque<>();
    private static final AtomicInteger KEPT = new AtomicInteger();

    private WorkerBuffers() {}

    static ByteBuffer take() {
        ByteBuffer b = FREE.pollFirst();
        if (b == null) {
            return ByteBuffer.allocateDirect(SIZE);
        }
        KEPT.decrementAndGet();
        return b.clear();
    }

    /** Gives back the buffer of a worker no front connection holds and none ever will. */
    static void give(ByteBuffer b) {
        if (KEPT.incrementAndGet() <= KEEP) {
            FREE.addFirst(b);
        } else {
            KEPT.decrementAndGet();
        }
    }
}
