package org.jfpm.pool;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.worker.WorkerProcess;

/**
 * A php-cgi worker as its pool sees it.
 *
 * <p>States: <b>idle</b> (in the pool's idle stack, connection open, no request),
 * <b>busy</b> (handed to one front connection, which alone touches the
 * connection and the buffer until it gives the worker back), <b>broken</b>
 * (its connection failed or its process exited: never handed out again; the
 * process is killed if still alive and the pool replaces it when it exits).
 * A worker moves idle → busy in {@link Pool#acquire}, busy → idle or broken in
 * {@link Pool#release}, and any → broken when its process exits.
 */
public final class Worker {
    /** Room for two largest records, so one read can take several small ones. */
    private static final int BUFFER_SIZE = 2 * Fcgi.MAX_RECORD;

    private final Pool pool;
    private final WorkerProcess process;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private volatile boolean broken;
    private volatile boolean exited;
    private int requests;

    Worker(Pool pool, WorkerProcess process) {
        this.pool = pool;
        this.process = process;
    }

    public Pool pool() {
        return pool;
    }

    public long pid() {
        return process.pid();
    }

    public SocketChannel channel() {
        return process.channel();
    }

    /** The worker's response buffer, used only by the front connection that holds the worker. */
    public ByteBuffer buffer() {
        return buffer;
    }

    WorkerProcess process() {
        return process;
    }

    /** Counts a request begun on this worker; returns the count including it. */
    public int beginRequest() {
        return ++requests;
    }

    public int requests() {
        return requests;
    }

    /** The connection can no longer be trusted; the worker must not serve again. */
    public void markBroken() {
        broken = true;
    }

    public boolean isBroken() {
        return broken || exited;
    }

    void markExited() {
        exited = true;
    }

    boolean hasExited() {
        return exited;
    }
}
