package org.jfpm.log;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The master's stderr, written by one thread of its own so that a slow or stuck
 * reader (a full pipe to a supervisor, a terminal on hold) never blocks the
 * thread that logs. Lines wait in a bounded queue; when it is full they are
 * dropped and counted, and the count is reported once the writer catches up.
 */
final class StderrWriter {
    private static final int CAPACITY = 4096;
    private final OutputStream out = new FileOutputStream(FileDescriptor.err);
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Object idle = new Object();
    private volatile boolean writing;

    StderrWriter() {
        Thread.ofPlatform().name("jfpm-stderr").daemon(true).start(this::run);
    }

    /** Queues a line; never blocks. */
    void write(byte[] line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        while (true) {
            byte[] line;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            writing = true;
            try {
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    out.write(("jfpm: " + lost + " log lines dropped: stderr was not read fast enough\n").getBytes());
                }
                out.write(line);
            } catch (IOException e) {
                // stderr is gone: nothing left to tell
            } finally {
                writing = false;
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }
    }

    /** Waits (at most {@code millis}) until every queued line is written: before the process exits. */
    void flush(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (idle) {
            while ((!queue.isEmpty() || writing) && System.nanoTime() < deadline) {
                try {
                    idle.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
