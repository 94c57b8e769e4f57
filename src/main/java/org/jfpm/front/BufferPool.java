package org.jfpm.front;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.fastcgi.Fcgi;

/**
 * Direct read buffers for front connections, reused across connections so a
 * busy site allocates none per request. A connection starts with a small one,
 * which holds a usual request head (nginx's, Apache's: one or two KiB) and an idle
 * kept connection; a record that does not fit moves it to a large one, which holds
 * the largest record with room to spare; a request whose PARAMS outgrow that gets a
 * larger one of its own that is dropped afterwards. So a slow or idle peer holds
 * {@value #SMALL} bytes, not {@value #SIZE}, and a few free buffers of each size are
 * kept for the next connections, no more: what a burst of connections took is given
 * back to the system when they end.
 *
 * <p>Direct memory is bounded (by default the JVM's heap limit), so the buffers
 * held by open connections share a budget of half of it, counted in base buffers:
 * each listener reserves one before it accepts a connection (at the budget it stops
 * accepting, and further connections wait in the kernel's queue), and a request
 * head that outgrows its buffer must reserve the difference or is refused. With
 * the launcher's -Xmx256m that is about 970 connections at once, all listeners
 * together; whatever peers send, the master's memory stays within its limits.
 */
final class BufferPool {
    private BufferPool() {}

    static final int SIZE = 2 * Fcgi.MAX_RECORD;
    static final int SMALL = 8192;
    private static final Free LARGE_FREE = new Free(SIZE, 32);
    private static final Free SMALL_FREE = new Free(SMALL, 128);

    /** The free buffers of one size, at most {@code keep} of them. */
    private record Free(int size, int keep, ConcurrentLinkedDeque<ByteBuffer> buffers, AtomicInteger kept) {
        Free(int size, int keep) {
            this(size, keep, new ConcurrentLinkedDeque<>(), new AtomicInteger());
        }

        ByteBuffer take() {
            ByteBuffer b = buffers.pollFirst();
            if (b == null) {
                return ByteBuffer.allocateDirect(size);
            }
            kept.decrementAndGet();
            return b.clear();
        }

        void give(ByteBuffer b) {
            // a count, not buffers.size(): that walks the deque, and kept connections give back per request
            if (kept.incrementAndGet() <= keep) {
                buffers.addFirst(b);
            } else {
                kept.decrementAndGet();
            }
        }
    }

    static final int BUDGET = (int) Math.max(64, Runtime.getRuntime().maxMemory() / 2 / SIZE);
    private static final Semaphore ROOM = new Semaphore(BUDGET);

    /** Room for one more connection's buffer; waits while the budget is spent. */
    static void reserve() throws InterruptedException {
        ROOM.acquire();
    }

    /** Room for {@code buffers} more base buffers, or false at once. */
    static boolean reserveMore(int buffers) {
        return ROOM.tryAcquire(buffers);
    }

    static void unreserve(int buffers) {
        ROOM.release(buffers);
    }

    /** How many base buffers a buffer of this capacity counts for. */
    static int weight(ByteBuffer b) {
        return (b.capacity() + SIZE - 1) / SIZE;
    }

    /** A large buffer: {@value #SIZE} bytes. */
    static ByteBuffer take() {
        return LARGE_FREE.take();
    }

    /** A small buffer: {@value #SMALL} bytes, what a connection starts with. */
    static ByteBuffer takeSmall() {
        return SMALL_FREE.take();
    }

    /** Gives a buffer back; one of neither size (a grown head's) is left to the collector. */
    static void give(ByteBuffer b) {
        if (b.capacity() == SIZE) {
            LARGE_FREE.give(b);
        } else if (b.capacity() == SMALL) {
            SMALL_FREE.give(b);
        }
    }
}
