package org.jfpm.front;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.fastcgi.Fcgi;

/**
 * Direct read buffers for front connections, reused across connections so a
 * busy site allocates none per request. Each holds the largest record with
 * room to spare; a request whose PARAMS outgrow it gets a larger one of its own
 * that is dropped afterwards.
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
    private static final int KEEP = 256;
    private static final ConcurrentLinkedDeque<ByteBuffer> FREE = new ConcurrentLinkedDeque<>();
    /** How many buffers FREE holds, or is about to. */
    private static final AtomicInteger KEPT = new AtomicInteger();

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

    static ByteBuffer take() {
        ByteBuffer b = FREE.pollFirst();
        if (b == null) {
            return ByteBuffer.allocateDirect(SIZE);
        }
        KEPT.decrementAndGet();
        return b.clear();
    }

    static void give(ByteBuffer b) {
        if (b.capacity() != SIZE) {
            return;
        }
        // a count, not FREE.size(): that walks the deque, and kept connections give back per request
        if (KEPT.incrementAndGet() <= KEEP) {
            FREE.addFirst(b);
        } else {
            KEPT.decrementAndGet();
        }
    }
}
