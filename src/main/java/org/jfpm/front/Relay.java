package org.jfpm.front;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.Records;
import org.jfpm.log.AccessEntry;
import org.jfpm.log.AccessLog;
import org.jfpm.os.ProcessUsage;
import org.jfpm.os.RequestUsage;
import org.jfpm.pool.Worker;
import org.jfpm.request.RequestInfo;

/**
 * One request on one worker: the head goes to the worker, the rest of the body
 * follows from a {@link BodyPump}, the answer comes back through the
 * {@link ResponseRelay} this object also is, and when the worker is done it goes
 * back to the pool and the access line is written.
 *
 * <p>Its states:
 * <ul>
 * <li><b>relaying</b>: the answer passes to the web server while the body, if any,
 *     still goes to the worker;
 * <li><b>finishing</b>, after fastcgi_finish_request() (the prelude's marker on
 *     FCGI_STDERR, see {@link org.jfpm.worker.Prelude}): the front has had its
 *     END_REQUEST and its connection goes on to its next request; the worker is
 *     drained on a virtual thread of its own until its real END_REQUEST, as php-fpm
 *     writes the access line with the full duration;
 * <li><b>completed</b> at the worker's END_REQUEST: body forwarding stops (a body
 *     write stuck for a second breaks the worker), the worker goes back to the pool,
 *     then the access line is written;
 * <li><b>failed</b>: the worker died or broke the protocol; it is replaced, and the
 *     front gets an empty answer, or is closed if part of the answer was sent.
 * </ul>
 */
final class Relay extends ResponseRelay {
    /** The request id every worker sees: the master sends one request at a time per worker. */
    static final int WORKER_REQUEST_ID = 1;

    /** Held by every write to the worker: the body pump writes while the answer's end stops it. */
    private final ReentrantLock workerWrite = new ReentrantLock();
    /** Body records still go to the worker (false once its END_REQUEST arrived). */
    private boolean forwarding = true;
    private boolean released;
    /** Measures the worker's CPU and memory when the access format asks for them. */
    private final ProcessUsage measuring;
    /** What the access line needs, taken now: the connection moves on after fastcgi_finish_request(). */
    private final RequestInfo info;
    private final AccessLog log;
    private final long startMillis;
    private final long startNanos;
    /** STDIN bytes passed to the worker so far. */
    private long bodyBytes;

    static final class HeadNotDelivered extends Exception {
        HeadNotDelivered(IOException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    Relay(FrontConnection conn, Worker worker, RequestInfo info, long bodyBytes) {
        super(conn, worker,
                conn.accessLog == null ? null : new ResponseHead(conn.accessLog.format().usesResponseHeaders()));
        this.bodyBytes = bodyBytes;
        this.info = info;
        this.log = conn.accessLog;
        this.startMillis = conn.headMillis;
        this.startNanos = conn.headNanos;
        this.measuring = log != null && log.format().usesUsage() ? ProcessUsage.start(worker.pid()) : null;
    }

    /**
     * Sends the head and the body records already read ({@code in[begin, spanEnd)}),
     * relays the answer, and returns whether the front connection stays open.
     */
    boolean run(int spanEnd, boolean bodyDone)
            throws HeadNotDelivered, IOException, ProtocolException, InterruptedException {
        try {
            FrontChannel.writeFully(worker.channel(), conn.in, conn.begin, spanEnd);
        } catch (IOException e) {
            throw new HeadNotDelivered(e);
        }
        worker.requestStarted(info);
        conn.rp = spanEnd;
        conn.begin = -1;
        if (bodyDone) {
            checkBodyLength();
        }
        BodyPump pump = bodyDone ? null : new BodyPump(conn, this);
        Thread pumpThread = pump == null ? null : Thread.ofVirtual().name("body-" + conn.peer).start(pump);
        boolean workerOk = relayResponse();
        if (finished) {
            // the script runs on: its end is awaited apart, so that this connection is free now
            Thread.ofVirtual().name("finishing-" + worker.pid()).start(this::drain);
        } else {
            ended();
        }
        if (pumpThread != null) {
            releaseWorker(); // the worker has answered: another request may use it while the body drains
            pumpThread.join();
            if (pump.error() != null) {
                throw pump.error();
            }
        }
        return workerOk && !frontDead && !lastAnswer && conn.keepConn;
    }

    /** After fastcgi_finish_request(): the worker's remaining output is read and dropped (own virtual thread). */
    private void drain() {
        try {
            relayResponse();
        } catch (InterruptedException e) {
            worker.markBroken();
        } finally {
            ended();
            giveBack();
        }
    }

    /** The request is over for the worker: its figures, then the access line once the worker is back. */
    private void ended() {
        if (!completed) {
            return;
        }
        long endNanos = System.nanoTime();
        RequestUsage usage = RequestUsage.NONE;
        if (measuring != null) {
            usage = measuring.finish();
            worker.recordUsage(usage); // the status page's last request cpu and memory
        }
        if (log != null) {
            giveBack(); // first: the line costs the next request nothing
            log.log(new AccessEntry(info, worker.pid(), conn.peerIp, head.status(), head.headers(), startMillis,
                    endNanos - startNanos, usage));
        }
    }

    /** The front is done with the worker; after fastcgi_finish_request() the drain gives it back instead. */
    void releaseWorker() {
        if (!finished) {
            giveBack();
        }
    }

    private synchronized void giveBack() {
        if (!released) {
            released = true;
            worker.pool().release(worker); // its own pool: the connection may be on a reloaded one by now
        }
    }

    // ---- the body, to the worker ----

    /** Body records {@code in[from, to)}, {@code stdinBytes} of STDIN among them, to the worker unless it has answered. */
    void toWorker(int from, int to, int stdinBytes) {
        bodyBytes += stdinBytes;
        workerWrite.lock();
        try {
            if (forwarding) {
                FrontChannel.writeFully(worker.channel(), conn.in, from, to);
            }
        } catch (IOException e) {
            forwarding = false; // the worker is gone; the response side reports it
        } finally {
            workerWrite.unlock();
        }
    }

    /** The client is gone or aborted: close the worker's body so the script can finish. */
    void endBodyForWorker() {
        ByteBuffer empty = ByteBuffer.allocate(Fcgi.HEADER_LEN);
        Records.header(empty, Fcgi.STDIN, WORKER_REQUEST_ID, 0);
        workerWrite.lock();
        try {
            if (forwarding) {
                FrontChannel.writeFully(worker.channel(), empty.flip(), 0, Fcgi.HEADER_LEN);
            }
        } catch (IOException ignored) {
            forwarding = false;
        } finally {
            workerWrite.unlock();
        }
        checkBodyLength();
    }

    /**
     * The body has ended. If it was shorter than CONTENT_LENGTH, php-cgi (as php-fpm's
     * worker, same fastcgi.c) goes on reading for the rest after the empty STDIN and
     * would wait forever: closing its input ends that wait. It answers, then closes the
     * connection, so it is replaced afterwards.
     */
    void checkBodyLength() {
        if (bodyBytes >= info.contentLength()) {
            return;
        }
        worker.markBroken();
        worker.pool().log().debug("request body of " + bodyBytes + " bytes for a CONTENT_LENGTH of "
                + info.contentLength() + ": child " + worker.pid() + " will be replaced");
        workerWrite.lock();
        try {
            if (forwarding) {
                worker.channel().shutdownOutput();
            }
        } catch (IOException ignored) {
            forwarding = false;
        } finally {
            workerWrite.unlock();
        }
    }

    /** Stops body forwarding; a body write stuck on a worker that stopped reading breaks the worker. */
    @Override
    void stopForwarding() throws InterruptedException {
        if (workerWrite.tryLock(1, TimeUnit.SECONDS)) {
            forwarding = false;
            workerWrite.unlock();
        } else {
            worker.markBroken();
        }
    }
}
