package org.jfpm.front;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.jfpm.fastcgi.Fcgi;

/**
 * Direct read buffers for front connections, reused across connections so a
 * busy site allocates none per request. Each holds the largest record with
 * room to spare; a request whose PARAMS outgrow it gets a larger one of its own
 * that is dropped afterwards.
 */
final class BufferPool {
    private BufferPool() {}

    static final int SIZE = 2 * Fcgi.MAX_RECORD;
    private static final int KEEP = 256;
    private static final ConcurrentLinkedDeque<ByteBuffer> FREE = new ConcurrentLinkedDeque<>();

    static ByteBuffer take() {
        ByteBuffer b = FREE.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocateDirect(SIZE);
    }

    static void give(ByteBuffer b) {
        if (b.capacity() == SIZE && FREE.size() < KEEP) {
            FREE.addFirst(b);
        }
    }
}
