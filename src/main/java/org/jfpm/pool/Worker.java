package org.jfpm.pool;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.os.RequestUsage;
import org.jfpm.request.RequestInfo;

/**
 * A php-cgi worker as its pool sees it.
 *
 * <p>States: <b>idle</b> (in the pool's idle stack, connection open, no request),
 * <b>busy</b> (handed to one front connection, which alone touches the
 * connection and the buffer until it gives the worker back), <b>broken</b>
 * (its connection failed or its process exited: never handed out again; the
 * process is killed if still alive and the pool replaces it when it exits),
 * <b>leaving</b> (retired after pm.max_requests, killed by the process
 * manager while idle, or broken: out of the idle stack, its connection closed,
 * signalled; counted as running until its process has exited, SIGKILL after
 * a few seconds if it has not).
 * A worker moves idle → busy in {@link WorkerBag#acquire}, busy → idle, leaving
 * (max_requests reached) or broken in {@link Pool#release}, idle → leaving
 * in the process manager's tick ({@link PoolMaintenance}), and any → broken
 * when its process exits ({@link Children}).
 */
public final class Worker {
    private final Pool pool;
    private final ChildProcess process;
    /** The process's connection, read on every request: kept here, one field away. */
    private final SocketChannel channel;
    private final ByteBuffer buffer = WorkerBuffers.take();
    /** Whether {@link #buffer} went back to {@link WorkerBuffers}: once, when nobody can use it again. */
    private final java.util.concurrent.atomic.AtomicBoolean bufferReturned = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean broken;
    private volatile boolean exited;
    private volatile int requests;
    private volatile WorkerState state = WorkerState.IDLE;
    private volatile RequestInfo request = RequestInfo.EMPTY;
    private volatile long requestStartNanos;
    private volatile long requestStartMillis;
    private volatile long lastDurationMicros;
    private volatile RequestUsage lastUsage;
    private volatile long requestEndNanos;
    /** The last signal the master sent the process, 0 for none. */
    private volatile int lastSignal;
    /** On its way out (retired, killed, broken): no longer idle or active; guarded by {@link WorkerBag#lock}. */
    boolean leaving;
    /** Retired by the process manager (php-fpm's {@code idle_kill}): not replaced, its exit logged at DEBUG. */
    volatile boolean pmKilled;

    Worker(Pool pool, ChildProcess process) {
        this.pool = pool;
        this.process = process;
        this.channel = process.channel();
    }

    public Pool pool() {
        return pool;
    }

    public long pid() {
        return process.pid();
    }

    public SocketChannel channel() {
        return channel;
    }

    /** The worker's response buffer, used only by the front connection that holds the worker. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** The worker has gone and no front connection holds it: its buffer serves the next worker. */
    void returnBuffer() {
        if (bufferReturned.compareAndSet(false, true)) {
            WorkerBuffers.give(buffer);
        }
    }

    ChildProcess process() {
        return process;
    }

    /**
     * The worker takes a request: Running from now, counted in its pool's
     * {@code accepted conn}. {@code info} is what the front read of the request.
     */
    public void requestStarted(RequestInfo info) {
        requestStartNanos = System.nanoTime();
        requestStartMillis = System.currentTimeMillis();
        request = info;
        requests++; // only the front connection holding the worker writes it
        state = WorkerState.RUNNING;
        pool.scoreboard().requestAccepted();
    }

    /**
     * The script called fastcgi_finish_request(): the client has its answer, the script
     * goes on (php-fpm's Finishing state) until the worker's END_REQUEST.
     */
    public void requestFinishing() {
        state = WorkerState.FINISHING;
    }

    /** The worker's END_REQUEST has arrived (or the request failed). */
    public void requestEnded() {
        long now = System.nanoTime();
        requestEndNanos = now;
        lastDurationMicros = (now - requestStartNanos) / 1000;
        state = WorkerState.IDLE;
        pool.scoreboard().requestDuration().observe(now - requestStartNanos);
    }

    public int requests() {
        return requests;
    }

    public WorkerState state() {
        return state;
    }

    /** What the front read of the current (or last) request; {@link RequestInfo#EMPTY} before the first. */
    public RequestInfo request() {
        return request;
    }

    /** µs since the current request began, or the last request's duration when Idle (php-fpm's rule). */
    public long requestDurationMicros() {
        return state == WorkerState.IDLE ? lastDurationMicros : (System.nanoTime() - requestStartNanos) / 1000;
    }

    /** CPU and memory of the last request, when the front measured them; else null. */
    public RequestUsage lastUsage() {
        return lastUsage;
    }

    public void recordUsage(RequestUsage usage) {
        lastUsage = usage;
    }

    public long requestStartMillis() {
        return requestStartMillis;
    }

    public long startMillis() {
        return process.startMillis();
    }

    long startNanos() {
        return process.startNanos();
    }

    /** When the worker last finished a request, or was started (php-fpm's fpm_request_last_activity of an idle child). */
    long lastActiveNanos() {
        long end = requestEndNanos;
        return end != 0 ? end : process.startNanos();
    }

    /** Records that the master is sending {@code signal} to this worker's process. */
    public void noteSignal(int signal) {
        lastSignal = signal;
    }

    int lastSignal() {
        return lastSignal;
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
