package org.jfpm.front;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;

/**
 * The web server's connection as FastCGI records: bytes read into one buffer and
 * handed out a whole record at a time, the request head's timer, and writes back
 * under one lock. The lowest layer of a {@link FrontConnection}: one object per
 * connection, so a request allocates nothing for the layering.
 *
 * <p>The buffer: {@code in[rp, wp)} has been read and not yet consumed. While a
 * request head is read, {@code begin} is where its BEGIN_REQUEST starts, and
 * compaction keeps everything from there, so that the head goes to the worker
 * in one write. A connection starts with a small buffer ({@link BufferPool#SMALL}),
 * moves to a large one for a record that does not fit, grows for PARAMS past that
 * up to {@value #MAX_HEAD_BUFFER} bytes, and takes a small one again while a kept
 * connection waits for its next request.
 *
 * <p>The head timer: a request head must be complete within
 * {@link Listener#HEAD_TIMEOUT_SECONDS} seconds, from the accept for a connection's
 * first request (php-fpm's worker waits 5 s for the first bytes), from the first
 * byte of a later request on a kept connection, which may stay idle between
 * requests as long as the web server likes. {@code headDeadline} is 0 while no
 * head is being timed; the listener's sweeper closes the channel when it is past,
 * and the blocked read then fails.
 *
 * <p>A kept connection waiting for its next request with nothing read has
 * {@code headDeadline} {@link #IDLE}. A graceful stop (SIGQUIT, {@link Listener#drain})
 * closes it by moving it to {@link #DRAINED}; the first byte of a next request moves it
 * to a deadline instead. Both are compare-and-set on the one field, so exactly one of
 * them wins: a request whose first byte was taken is served, and a connection closed by
 * the drain had no request of it reach a worker, so the web server may safely send that
 * request to another host (nginx's {@code fastcgi_next_upstream error}).
 */
abstract class FrontChannel {
    private static final int MAX_HEAD_BUFFER = BufferPool.SIZE + RequestReader.MAX_PARAMS;
    /** {@code headDeadline} of a kept connection between requests with nothing read: no timer, a drain may close it. */
    private static final long IDLE = Long.MIN_VALUE;
    /** {@code headDeadline} of a kept connection a drain closed while it was idle. */
    private static final long DRAINED = Long.MIN_VALUE + 1;
    private static final VarHandle HEAD_DEADLINE;

    static {
        try {
            HEAD_DEADLINE = MethodHandles.lookup().findVarHandle(FrontChannel.class, "headDeadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SocketChannel channel;
    /** Held by every write to the web server: the body pump answers management records while a response is relayed. */
    private final ReentrantLock frontWrite = new ReentrantLock();
    ByteBuffer in;
    int rp;
    int wp;
    /** Start of the current request's BEGIN_REQUEST in {@code in} while its head is read, else -1. */
    int begin = -1;

    /** When the request head being read must be complete (System.nanoTime()); 0, IDLE or DRAINED while none is timed. */
    private volatile long headDeadline;
    /** A head is being read: the first byte that arrives starts the head timer. */
    private boolean readingHead;
    private volatile boolean headTimedOut;
    /** Requests begun on this connection: the first one's head is timed from the accept. */
    private int begun;

    FrontChannel(SocketChannel channel) {
        this.headDeadline = System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS;
        this.channel = channel;
    }

    // ---- the head timer ----

    /** A request head is expected: on a kept connection its timer starts with its first byte. */
    final void headExpected() {
        readingHead = true;
        if (begun > 0) {
            headDeadline = rp < wp ? System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS : IDLE;
        }
    }

    /** The connection's BEGIN_REQUEST has come. */
    final void requestBegun() {
        begun++;
    }

    /** The head is read (or the request aborted before its end): no timer until the next one. */
    final void headDone() {
        readingHead = false;
        headDeadline = 0;
    }

    /** After a management exchange on a kept connection: with nothing left to read, it is idle again. */
    final void idleIfDrained() {
        if (rp == wp && begun > 0) {
            headDeadline = IDLE;
        }
    }

    /** Called by the listener's sweeper: a head that is overdue closes the connection (its read then fails). */
    final void closeIfHeadOverdue(long now) {
        long deadline = headDeadline;
        if (deadline != 0 && deadline != IDLE && deadline != DRAINED && now - deadline > 0) {
            headTimedOut = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we want
            }
        }
    }

    /**
     * A graceful stop: a kept connection idle between requests is closed now. Returns
     * whether it was; one whose next request has begun (or that never served one) is not.
     */
    final boolean closeIfIdle() {
        if (!HEAD_DEADLINE.compareAndSet(this, IDLE, DRAINED)) {
            return false;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all we want
        }
        return true;
    }

    /** Shuts the connection's output (FIN) after its last answer; reading goes on (a body's rest). */
    final void endOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // the web server has gone: the connection closes anyway
        }
    }

    /** Whether the sweeper closed the connection: its read failed because the head was late. */
    final boolean headTimedOut() {
        return headTimedOut;
    }

    // ---- reading ----

    /** Takes the connection's first buffer; the listener reserved its room. */
    final void takeBuffer() {
        in = BufferPool.takeSmall();
    }

    /** Gives the buffer back, with the room a grown one reserved beyond the listener's. */
    final void giveBackBuffer() {
        BufferPool.unreserve(BufferPool.weight(in) - 1); // the listener gives back the first one
        BufferPool.give(in);
    }

    final int recordType() {
        return RecordScan.type(in, rp);
    }

    final int recordId() {
        return RecordScan.requestId(in, rp);
    }

    final int recordContentLength() {
        return RecordScan.contentLength(in, rp);
    }

    /**
     * Makes a whole record available at {@code rp} and returns its length, reading
     * as needed; -1 on end of stream between records when {@code eofOk}.
     */
    final int nextRecord(boolean eofOk) throws IOException, ProtocolException {
        while (true) {
            int n = RecordScan.scan(in, rp, wp);
            if (n > 0) {
                return n;
            }
            if (n == RecordScan.BAD_VERSION) {
                throw new ProtocolException("record of FastCGI version " + (in.get(rp) & 0xFF) + ", expected 1");
            }
            if (!fill()) {
                if (eofOk && rp == wp) {
                    return -1;
                }
                throw new ProtocolException("connection closed in the middle of "
                        + (rp == wp ? "a request" : "a record"));
            }
        }
    }

    /** Cuts the record at {@code rp} out of the buffer (a management record inside a request head). */
    final void removeRecord(int n) {
        in.put(rp, in, rp + n, wp - rp - n);
        wp -= n;
    }

    /** Reads more bytes, first making room; false at end of stream. */
    private boolean fill() throws IOException, ProtocolException {
        if (begun > 0 && readingHead && begin < 0 && rp == wp && in.capacity() == BufferPool.SIZE) {
            // a kept connection between requests may stay idle for hours (nginx's upstream
            // keepalive, Apache's enablereuse keep hundreds): it waits with a small buffer
            BufferPool.give(in);
            in = BufferPool.takeSmall();
            rp = wp = 0;
        }
        if (wp == in.capacity()) {
            int keep = begin >= 0 ? begin : rp;
            if (keep > 0) {
                in.put(0, in, keep, wp - keep);
                wp -= keep;
                rp -= keep;
                if (begin >= 0) {
                    begin = 0;
                }
            } else {
                grow();
            }
        }
        in.limit(in.capacity()).position(wp);
        int n = channel.read(in);
        if (n < 0) {
            return false;
        }
        wp += n;
        if (readingHead && n > 0) {
            nextHeadArrived();
        }
        return true;
    }

    /**
     * Bytes of a head were read: on an idle kept connection its timer starts now. A drain
     * that closed the connection first wins, even when the read had taken the bytes
     * before the close: the request goes nowhere, so the web server may send it elsewhere.
     */
    private void nextHeadArrived() throws ClosedChannelException {
        long deadline = headDeadline;
        if (deadline == DRAINED || (deadline == IDLE
                && !HEAD_DEADLINE.compareAndSet(this, IDLE, System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS))) {
            throw new ClosedChannelException();
        }
    }

    /** Room for {@code wp} to reach past the capacity: a large buffer, then doubling up to the bound. */
    final void grow() throws ProtocolException {
        if (in.capacity() < BufferPool.SIZE) {
            ByteBuffer large = BufferPool.take(); // the same reservation: a connection counts as one large buffer
            large.put(0, in, 0, wp);
            BufferPool.give(in);
            in = large;
            return;
        }
        if (in.capacity() >= MAX_HEAD_BUFFER) {
            throw new ProtocolException("request head larger than " + MAX_HEAD_BUFFER + " bytes");
        }
        int capacity = Math.min(in.capacity() * 2, MAX_HEAD_BUFFER);
        if (!BufferPool.reserveMore((capacity + BufferPool.SIZE - 1) / BufferPool.SIZE - BufferPool.weight(in))) {
            throw new ProtocolException("request head of more than " + in.capacity()
                    + " bytes while the memory for request heads is taken by other connections");
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(capacity);
        bigger.put(0, in, 0, wp);
        BufferPool.give(in);
        in = bigger;
    }

    // ---- writing ----

    static ByteBuffer endRequest(int id, int protocolStatus) {
        ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(Fcgi.END_BODY_LEN));
        Records.endRequest(out, id, 0, protocolStatus);
        return out.flip();
    }

    /** Writes a record the master made itself (an answer, a refusal) to the web server. */
    final void reply(ByteBuffer answer) throws IOException {
        writeToFront(answer, answer.position(), answer.limit());
    }

    /** Writes {@code b[from, to)} to the web server, between the other writers' records. */
    final void writeToFront(ByteBuffer b, int from, int to) throws IOException {
        frontWrite.lock();
        try {
            writeFully(channel, b, from, to);
        } finally {
            frontWrite.unlock();
        }
    }

    /**
     * Writes {@code buf[from, to)} completely; blocking channels on virtual threads
     * park while they wait. The limit goes back to the capacity afterwards: every
     * other access to these buffers is absolute and checked against the limit.
     */
    static void writeFully(SocketChannel ch, ByteBuffer buf, int from, int to) throws IOException {
        buf.limit(to).position(from);
        try {
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } finally {
            buf.limit(buf.capacity());
        }
    }
}
