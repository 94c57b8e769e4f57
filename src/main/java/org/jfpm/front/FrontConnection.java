package org.jfpm.front;

import org.jfpm.request.RequestInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;
import org.jfpm.log.AccessEntry;
import org.jfpm.log.AccessLog;
import org.jfpm.log.Log;
import org.jfpm.os.ProcessUsage;
import org.jfpm.os.RequestUsage;
import org.jfpm.pool.Pool;
import org.jfpm.pool.QueueRefusal;
import org.jfpm.pool.Worker;

/**
 * One connection from the web server, served on its own virtual thread.
 *
 * <p>States: <b>waiting</b> for BEGIN_REQUEST (management records such as
 * FCGI_GET_VALUES are answered here), <b>reading params</b> until the empty
 * PARAMS record, <b>queued</b> in the pool until a worker is free, then
 * <b>relaying</b>: the request head and the body records already read go to
 * the worker in one write, the rest of the body follows from a second virtual
 * thread (only when the body was not all there), and the worker's records come
 * back with the request id rewritten. Record bodies are never decoded or copied
 * between buffers. Without FCGI_KEEP_CONN the connection closes after the
 * request, as the specification asks (section 5.1); with it the next request
 * may follow, and the worker is back in the pool as soon as its END_REQUEST
 * has been passed on, so a kept connection never pins a worker.
 *
 * <p>A peer that breaks the protocol is closed with a WARNING naming the
 * reason; nothing it sends reaches a worker outside a well-formed request.
 */
final class FrontConnection implements Runnable {
    /** The request id every worker sees: the master sends one request at a time per worker. */
    private static final int WORKER_REQUEST_ID = 1;
    /** PARAMS larger than this close the connection: no web server sends that much. */
    static final int MAX_PARAMS = 1 << 20;
    private static final int MAX_HEAD_BUFFER = BufferPool.SIZE + MAX_PARAMS;

    private static final long MASTER_PID = ProcessHandle.current().pid();

    private final SocketChannel channel;
    private final Listener listener;
    /** The pool, router and access log of the current request, read from the listener per request (reload). */
    private Pool pool;
    private Router router;
    private final String peer;
    /** The web server's IP for the access log's {@code %R}; null on a unix socket. */
    private final String peerIp;
    /** Null when the pool keeps no access log: then nothing of the response is looked at. */
    private AccessLog accessLog;
    /** When the current request's head was complete: the access log's accept time. */
    private long headNanos;
    private long headMillis;
    private final ReentrantLock frontWrite = new ReentrantLock();
    private ByteBuffer in;
    private int rp;
    private int wp;
    /** Start of the current request's BEGIN_REQUEST in {@code in} while its head is read, else -1. */
    private int begin = -1;
    private int requestId;
    private boolean keepConn;
    /** The pool's fastcgi_finish_request() marker line, or null when its workers have no prelude. */
    private byte[] finishMarker;
    private String phpHeaders = "";
    private ScriptCheck scriptCheck;

    /**
     * When the request head being read must be complete (System.nanoTime()), or 0 while
     * no head is being read (a kept connection between requests, a request being served).
     */
    private volatile long headDeadline;
    /** A head is being read: the first byte that arrives starts the head timer. */
    private boolean readingHead;
    private volatile boolean headTimedOut;
    /** Requests begun on this connection: the first one's head is timed from the accept. */
    private int begun;

    FrontConnection(SocketChannel channel, Listener listener, String peer, String peerIp) {
        this.headDeadline = System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS;
        this.channel = channel;
        this.listener = listener;
        bind();
        this.peer = peer;
        this.peerIp = peerIp;
    }

    @Override
    public void run() {
        in = BufferPool.takeSmall();
        try {
            while (serveOne()) {
                // next request on a kept connection
            }
        } catch (ProtocolException e) {
            Log.warning("[pool " + pool.name() + "] closing FastCGI connection from " + peer + ": " + e.getMessage());
        } catch (IOException e) {
            if (headTimedOut) {
                Log.warning("[pool " + pool.name() + "] closing FastCGI connection from " + peer + ": no complete "
                        + "request head within " + Listener.HEAD_TIMEOUT_SECONDS + " seconds");
            } else {
                Log.debug("[pool " + pool.name() + "] FastCGI connection from " + peer + " failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
            BufferPool.unreserve(BufferPool.weight(in) - 1); // the listener gives back the first one
            BufferPool.give(in);
            listener.closed(this);
        }
    }

    /** Called by the listener's sweeper: a head that is overdue closes the connection (its read then fails). */
    void closeIfHeadOverdue(long now) {
        long deadline = headDeadline;
        if (deadline != 0 && now - deadline > 0) {
            headTimedOut = true;
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all we want
            }
        }
    }

    /** Takes the listener's current pool: after a reload the next request goes to the new one. */
    private void bind() {
        Listener.Binding b = listener.binding();
        pool = b.pool();
        router = b.router();
        accessLog = b.front().accessLog();
        finishMarker = b.front().finishMarker();
        phpHeaders = b.front().phpHeaders();
        scriptCheck = b.front().scriptCheck();
    }

    /** Serves one request; returns whether the connection stays open for another. */
    private boolean serveOne() throws IOException, ProtocolException, InterruptedException {
        readingHead = true;
        if (begun > 0) {
            headDeadline = rp < wp ? System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS : 0;
        }
        if (!readBegin()) {
            return false;
        }
        begun++;
        bind();
        boolean complete = readParams();
        readingHead = false;
        headDeadline = 0;
        if (!complete) {
            return keepConn; // aborted before it reached a worker
        }
        if (accessLog != null) {
            headNanos = System.nanoTime();
            headMillis = System.currentTimeMillis();
        }
        RequestInfo info = RequestInfo.parse(in, begin + Records.paddedLength(Fcgi.BEGIN_BODY_LEN), rp,
                accessLog != null && accessLog.format().usesParams());
        if (info.malformed()) {
            throw new ProtocolException("malformed PARAMS: a name or value length runs past the end of its record");
        }
        if (router.answersInMaster(info)) {
            return answerInMaster(info, router.answer(info), 200, null);
        }
        ScriptCheck.Refusal refusal = scriptCheck.check(info);
        if (refusal != null) {
            pool.scoreboard().requestAccepted(); // php-fpm's worker counts these too
            return answerInMaster(info, refusal.page(), refusal.status(), refusal.stderr());
        }
        String script = info.scriptFilename();
        if (script != null && script.regionMatches(true, 0, "proxy:", 0, 6)) {
            info = stripProxyPrefix(info);
        }
        return relay(info);
    }

    /**
     * Apache's mod_proxy_fcgi (ProxyFCGIBackendType FPM, its default) sends
     * {@code SCRIPT_FILENAME=proxy:fcgi://host/path}; php-fpm takes the path, php-cgi
     * would answer 404. The master rewrites the request's PARAMS once, in place in
     * its buffer, with the prefix gone (the only path on which a head is re-encoded).
     */
    private RequestInfo stripProxyPrefix(RequestInfo info) throws ProtocolException {
        int from = begin + Records.paddedLength(Fcgi.BEGIN_BODY_LEN);
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        for (int p = from; p < rp; p += RecordScan.recordLength(in, p)) {
            byte[] part = new byte[RecordScan.contentLength(in, p)];
            in.get(p + Fcgi.HEADER_LEN, part);
            content.writeBytes(part);
        }
        byte[] old = content.toByteArray();
        java.io.ByteArrayOutputStream pairs = new java.io.ByteArrayOutputStream();
        String error = org.jfpm.fastcgi.NameValuePairs.decode(ByteBuffer.wrap(old), 0, old.length, (name, value) -> {
            boolean path = name.equals("SCRIPT_FILENAME") || name.equals("PATH_TRANSLATED");
            org.jfpm.fastcgi.NameValuePairs.encode(pairs, name, path ? ScriptCheck.stripProxyPrefix(value) : value);
            return true;
        });
        if (error != null) {
            return info; // php-cgi gets the pairs as they came, and judges them itself
        }
        byte[] rewritten = pairs.toByteArray();
        ByteBuffer records = ByteBuffer.allocate(Records.paddedLength(0)
                + (rewritten.length / Fcgi.MAX_CONTENT + 1) * Records.paddedLength(0) + rewritten.length + 8);
        Records.streamAll(records, Fcgi.PARAMS, requestId, rewritten);
        Records.header(records, Fcgi.PARAMS, requestId, 0);
        records.flip();
        int delta = records.remaining() - (rp - from);
        while (wp + delta > in.capacity()) {
            grow();
        }
        in.put(rp + delta, in, rp, wp - rp); // the body records that followed, moved
        in.put(from, records, 0, records.remaining());
        rp += delta;
        wp += delta;
        return RequestInfo.parse(in, from, rp, accessLog != null && accessLog.format().usesParams());
    }

    /** A response the master writes itself (ping, status, a refused script); the body is read and dropped. */
    private boolean answerInMaster(RequestInfo info, MasterPage bare, int status, String stderr)
            throws IOException, ProtocolException {
        MasterPage page = bare.withPhpHeaders(phpHeaders);
        begin = -1;
        skipBody(); // as php-fpm's status, ping and refusals ignore the body
        reply(MasterPage.records(requestId, page, stderr));
        if (accessLog != null) {
            // php-fpm logs these answers too; the master answered, so %p is its pid
            accessLog.log(new AccessEntry(info, MASTER_PID, peerIp, status, page.headers(), headMillis,
                    System.nanoTime() - headNanos, RequestUsage.NONE));
        }
        return keepConn;
    }

    // ---- reading the request head ----

    /** Waits for BEGIN_REQUEST, answering management records; false on a clean close. */
    private boolean readBegin() throws IOException, ProtocolException {
        begin = -1;
        while (true) {
            int n = nextRecord(true);
            if (n < 0) {
                return false;
            }
            int type = RecordScan.type(in, rp);
            int id = RecordScan.requestId(in, rp);
            if (type == Fcgi.BEGIN_REQUEST && id != Fcgi.NULL_REQUEST_ID) {
                if (RecordScan.contentLength(in, rp) != Fcgi.BEGIN_BODY_LEN) {
                    throw new ProtocolException("BEGIN_REQUEST with a body of "
                            + RecordScan.contentLength(in, rp) + " bytes instead of 8");
                }
                int role = in.getShort(rp + Fcgi.OFF_BEGIN_ROLE) & 0xFFFF;
                if (role < Fcgi.RESPONDER || role > Fcgi.FILTER) {
                    rp += n;
                    reply(endRequest(id, Fcgi.UNKNOWN_ROLE)); // section 5.1
                    continue;
                }
                requestId = id;
                keepConn = (in.get(rp + Fcgi.OFF_BEGIN_FLAGS) & Fcgi.KEEP_CONN) != 0;
                begin = rp;
                rp += n;
                return true;
            }
            handleOutOfRequest(type, id, n);
            rp += n;
            if (rp == wp && begun > 0) {
                headDeadline = 0; // a management exchange on a kept connection, now idle again
            }
        }
    }

    /** Records outside a request: management ones are answered, empty STDIN is skipped, the rest is an error. */
    private void handleOutOfRequest(int type, int id, int n) throws IOException, ProtocolException {
        if (id == Fcgi.NULL_REQUEST_ID) {
            reply(ManagementReply.answer(in, rp, n, pool, listener.maxConnections()));
        } else if (type == Fcgi.ABORT_REQUEST || (type == Fcgi.STDIN && RecordScan.contentLength(in, rp) == 0)) {
            // a late abort, or an empty STDIN after the request ended: nothing to do (php-fpm skips them too)
        } else {
            throw new ProtocolException("unexpected " + Fcgi.typeName(type) + " record for request " + id
                    + " outside a request");
        }
    }

    /** Reads PARAMS up to the empty record; false if the request was aborted meanwhile. */
    private boolean readParams() throws IOException, ProtocolException {
        int total = 0;
        while (true) {
            int n = nextRecord(false);
            int type = RecordScan.type(in, rp);
            int id = RecordScan.requestId(in, rp);
            if (type == Fcgi.PARAMS && id == requestId) {
                int len = RecordScan.contentLength(in, rp);
                total += len;
                if (total > MAX_PARAMS) {
                    throw new ProtocolException("PARAMS larger than " + MAX_PARAMS + " bytes");
                }
                rp += n;
                if (len == 0) {
                    return true;
                }
            } else if (type == Fcgi.ABORT_REQUEST && id == requestId) {
                rp += n;
                begin = -1;
                reply(endRequest(id, Fcgi.REQUEST_COMPLETE));
                return false;
            } else if (id == Fcgi.NULL_REQUEST_ID) {
                ByteBuffer answer = ManagementReply.answer(in, rp, n, pool, listener.maxConnections());
                removeRecord(n);
                reply(answer);
            } else if (type == Fcgi.BEGIN_REQUEST) {
                removeRecord(n);
                reply(endRequest(id, Fcgi.CANT_MPX_CONN)); // one request at a time per connection (section 5.5)
            } else {
                throw new ProtocolException("unexpected " + Fcgi.typeName(type) + " record for request " + id
                        + " while reading PARAMS of request " + requestId);
            }
        }
    }

    /** Reads and drops the request's body records up to the empty STDIN. */
    private void skipBody() throws IOException, ProtocolException {
        while (true) {
            int n = nextRecord(false);
            int type = RecordScan.type(in, rp);
            int id = RecordScan.requestId(in, rp);
            if (isBody(type) && id == requestId) {
                boolean last = endsBody(rp);
                rp += n;
                if (last) {
                    return;
                }
            } else if (id == Fcgi.NULL_REQUEST_ID) {
                ByteBuffer answer = ManagementReply.answer(in, rp, n, pool, listener.maxConnections());
                rp += n;
                reply(answer);
            } else {
                throw new ProtocolException("unexpected " + Fcgi.typeName(type) + " record for request " + id
                        + " while reading the body of request " + requestId);
            }
        }
    }

    /** Cuts the record at {@code rp} out of the buffer (a management record inside a request head). */
    private void removeRecord(int n) {
        in.put(rp, in, rp + n, wp - rp - n);
        wp -= n;
    }

    /**
     * Makes a whole record available at {@code rp} and returns its length, reading
     * as needed; -1 on end of stream between records when {@code eofOk}.
     */
    private int nextRecord(boolean eofOk) throws IOException, ProtocolException {
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
        if (readingHead && headDeadline == 0 && n > 0) {
            headDeadline = System.nanoTime() + Listener.HEAD_TIMEOUT_NANOS; // the next request has begun
        }
        return true;
    }

    private void grow() throws ProtocolException {
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

    // ---- relaying to a worker ----

    /** Hands the request to a worker and relays its answer; returns whether the connection stays open. */
    private boolean relay(RequestInfo info) throws IOException, ProtocolException, InterruptedException {
        // The head and the body records already here go to the worker in one write,
        // renumbered to the worker's request id (done once: a retry sends the same bytes).
        Worker worker;
        try {
            worker = pool.acquire();
        } catch (QueueRefusal refusal) {
            return answerInMaster(info, MasterPage.unavailable(), 503, null);
        }
        if (worker == null) {
            return false; // the pool is stopping: close, as php-fpm's listening socket would be
        }
        int spanEnd = rp;
        boolean bodyDone = false;
        long headBodyBytes = 0;
        while (!bodyDone) {
            int n = RecordScan.scan(in, spanEnd, wp);
            if (n <= 0 || !isBody(RecordScan.type(in, spanEnd)) || RecordScan.requestId(in, spanEnd) != requestId) {
                break;
            }
            bodyDone = endsBody(spanEnd);
            if (RecordScan.type(in, spanEnd) == Fcgi.STDIN) {
                headBodyBytes += RecordScan.contentLength(in, spanEnd);
            }
            spanEnd += n;
        }
        for (int p = begin; p < spanEnd; p += RecordScan.recordLength(in, p)) {
            RecordScan.setRequestId(in, p, WORKER_REQUEST_ID);
        }
        in.put(begin + Fcgi.OFF_BEGIN_FLAGS, (byte) Fcgi.KEEP_CONN);
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                worker = pool.acquireAgain(); // it had its turn in the queue
                if (worker == null) {
                    return false;
                }
            }
            Relay relay = new Relay(worker, info, headBodyBytes);
            try {
                return relay.run(spanEnd, bodyDone);
            } catch (Relay.HeadNotDelivered e) {
                // a worker that died while idle: nothing reached PHP, so another worker may take it
                worker.markBroken();
                if (attempt == 3) {
                    throw new IOException("three workers in a row failed to take the request: " + e.getMessage());
                }
            } finally {
                relay.releaseWorker();
            }
        }
    }

    private static boolean isBody(int type) {
        return type == Fcgi.STDIN || type == Fcgi.DATA;
    }

    private boolean endsBody(int p) {
        return RecordScan.type(in, p) == Fcgi.STDIN && RecordScan.contentLength(in, p) == 0;
    }

    /**
     * One request on one worker.
     *
     * <p>After fastcgi_finish_request() (the prelude's marker on FCGI_STDERR, see
     * {@link org.jfpm.worker.Prelude}) the front gets its END_REQUEST at once and the
     * front connection goes on to its next request; the worker, now Finishing, is
     * drained on a virtual thread of its own until its real END_REQUEST, which gives
     * it back to the pool and writes the access log line with the full duration, as
     * php-fpm does.
     */
    private final class Relay {
        private final Worker worker;
        private final ReentrantLock workerWrite = new ReentrantLock();
        /** Body records still go to the worker (false once its END_REQUEST arrived). */
        private boolean forwarding = true;
        private volatile boolean frontDead;
        private volatile boolean aborted;
        private volatile ProtocolException bodyError;
        private boolean released;
        /** The response's CGI head, read only when the pool logs requests. */
        final ResponseHead head;
        /** Measures the worker's CPU and memory when the access format asks for them. */
        private final ProcessUsage measuring;
        /** What the access line needs, taken now: the connection moves on after fastcgi_finish_request(). */
        private final RequestInfo info;
        private final AccessLog log;
        private final long startMillis;
        private final long startNanos;
        private final byte[] marker;
        /** Worker records not yet passed on are {@code worker.buffer()[r, lim)}. */
        private int r;
        private int lim;
        private boolean sentAny;
        /** fastcgi_finish_request() was called: the front has its END_REQUEST, the rest is dropped. */
        private volatile boolean finished;
        /** The worker's END_REQUEST arrived (it did not die or break the protocol first). */
        boolean completed;
        /** STDIN bytes passed to the worker so far. */
        private long bodyBytes;

        static final class HeadNotDelivered extends Exception {
            HeadNotDelivered(IOException cause) {
                super(cause.getMessage(), cause, false, false);
            }
        }

        Relay(Worker worker, RequestInfo info, long bodyBytes) {
            this.bodyBytes = bodyBytes;
            this.worker = worker;
            this.info = info;
            this.log = accessLog;
            this.startMillis = headMillis;
            this.startNanos = headNanos;
            this.marker = finishMarker;
            this.head = log == null ? null : new ResponseHead(log.format().usesResponseHeaders());
            this.measuring = log != null && log.format().usesUsage() ? ProcessUsage.start(worker.pid()) : null;
        }

        boolean run(int spanEnd, boolean bodyDone)
                throws HeadNotDelivered, IOException, ProtocolException, InterruptedException {
            try {
                write(worker.channel(), in, begin, spanEnd);
            } catch (IOException e) {
                throw new HeadNotDelivered(e);
            }
            worker.requestStarted(info);
            rp = spanEnd;
            begin = -1;
            if (bodyDone) {
                checkBodyLength();
            }
            Thread bodyPump = bodyDone ? null : Thread.ofVirtual().name("body-" + peer).start(this::pumpBody);
            boolean workerOk = relayResponse();
            if (finished) {
                // the script runs on: its end is awaited apart, so that this connection is free now
                Thread.ofVirtual().name("finishing-" + worker.pid()).start(this::drain);
            } else {
                ended();
            }
            if (bodyPump != null) {
                releaseWorker(); // the worker has answered: another request may use it while the body drains
                bodyPump.join();
            }
            if (bodyError != null) {
                throw bodyError;
            }
            return workerOk && !frontDead && keepConn;
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
                log.log(new AccessEntry(info, worker.pid(), peerIp, head.status(), head.headers(), startMillis,
                        endNanos - startNanos, usage));
            }
        }

        /** Passes the rest of the body to the worker as it arrives (own virtual thread). */
        private void pumpBody() {
            try {
                while (true) {
                    int n;
                    try {
                        n = nextRecord(false);
                    } catch (ProtocolException | IOException e) {
                        frontDead = true;
                        endBodyForWorker();
                        if (e instanceof ProtocolException pe) {
                            bodyError = pe;
                        }
                        return;
                    }
                    int type = RecordScan.type(in, rp);
                    int id = RecordScan.requestId(in, rp);
                    if (isBody(type) && id == requestId) {
                        boolean last = endsBody(rp);
                        RecordScan.setRequestId(in, rp, WORKER_REQUEST_ID);
                        if (type == Fcgi.STDIN) {
                            bodyBytes += RecordScan.contentLength(in, rp);
                        }
                        toWorker(rp, rp + n);
                        if (last) {
                            checkBodyLength();
                        }
                        rp += n;
                        if (last) {
                            return;
                        }
                    } else if (type == Fcgi.ABORT_REQUEST && id == requestId) {
                        rp += n;
                        aborted = true;
                        endBodyForWorker();
                        return;
                    } else if (id == Fcgi.NULL_REQUEST_ID) {
                        ByteBuffer answer;
                        try {
                            answer = ManagementReply.answer(in, rp, n, pool, listener.maxConnections());
                        } catch (ProtocolException e) {
                            bodyError = e;
                            frontDead = true;
                            endBodyForWorker();
                            return;
                        }
                        rp += n;
                        reply(answer);
                    } else {
                        bodyError = new ProtocolException("unexpected " + Fcgi.typeName(type) + " record for request "
                                + id + " while reading the body of request " + requestId);
                        frontDead = true;
                        endBodyForWorker();
                        return;
                    }
                }
            } catch (IOException e) {
                frontDead = true;
            }
        }

        /** Body records to the worker, unless it has already answered. */
        private void toWorker(int from, int to) {
            workerWrite.lock();
            try {
                if (forwarding) {
                    write(worker.channel(), in, from, to);
                }
            } catch (IOException e) {
                forwarding = false; // the worker is gone; the response side reports it
            } finally {
                workerWrite.unlock();
            }
        }

        /** The client is gone or aborted: close the worker's body so the script can finish. */
        private void endBodyForWorker() {
            ByteBuffer empty = ByteBuffer.allocate(Fcgi.HEADER_LEN);
            Records.header(empty, Fcgi.STDIN, WORKER_REQUEST_ID, 0);
            workerWrite.lock();
            try {
                if (forwarding) {
                    write(worker.channel(), empty.flip(), 0, Fcgi.HEADER_LEN);
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
        private void checkBodyLength() {
            if (bodyBytes >= info.contentLength()) {
                return;
            }
            worker.markBroken();
            Log.debug("[pool " + pool.name() + "] request body of " + bodyBytes + " bytes for a CONTENT_LENGTH of "
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
        private void stopForwarding() throws InterruptedException {
            if (workerWrite.tryLock(1, TimeUnit.SECONDS)) {
                forwarding = false;
                workerWrite.unlock();
            } else {
                worker.markBroken();
            }
        }

        /**
         * Relays the worker's records to the front until END_REQUEST, or until the
         * fastcgi_finish_request() marker (then {@link #finished} is set and a second
         * call drops the rest). Returns false when the front connection must close
         * because the answer was cut short.
         */
        private boolean relayResponse() throws InterruptedException {
            ByteBuffer b = worker.buffer();
            byte[] finishHead;
            while (true) {
                int p = r;
                while (true) {
                    int m = RecordScan.scan(b, p, lim);
                    if (m == 0) {
                        break;
                    }
                    String problem = m < 0 ? "sent a record of another FastCGI version" : checkWorkerRecord(b, p);
                    if (problem != null) {
                        return workerFailed(problem);
                    }
                    int type = RecordScan.type(b, p);
                    if (type == Fcgi.END_REQUEST) {
                        return endRequest(b, p, p + m);
                    }
                    if (finished) {
                        r = p + m;
                    } else if (type == Fcgi.STDERR && marker != null && (finishHead = FinishMarker.head(b,
                            p + Fcgi.HEADER_LEN, RecordScan.contentLength(b, p), marker)) != null) {
                        if (p > r) {
                            sentAny |= toFront(b, r, p, false);
                        }
                        r = p + m;
                        finishFront(finishHead);
                        return true;
                    } else {
                        if (head != null && !head.done() && type == Fcgi.STDOUT) {
                            head.feed(b, p + Fcgi.HEADER_LEN, RecordScan.contentLength(b, p));
                        }
                        RecordScan.setRequestId(b, p, requestId);
                    }
                    p += m;
                }
                if (p > r && !finished) {
                    sentAny |= toFront(b, r, p, false);
                }
                r = p;
                if (r == lim) {
                    r = lim = 0;
                } else if (lim == b.capacity()) {
                    b.put(0, b, r, lim - r);
                    lim -= r;
                    r = 0;
                }
                b.limit(b.capacity()).position(lim);
                int n;
                try {
                    n = worker.channel().read(b);
                } catch (IOException e) {
                    n = -1;
                }
                if (n < 0) {
                    return workerFailed("closed the connection in the middle of a request");
                }
                lim += n;
            }
        }

        /** The worker's END_REQUEST is at {@code b[p, endPos)}: relayed with what precedes it, unless finished. */
        private boolean endRequest(ByteBuffer b, int p, int endPos) throws InterruptedException {
            completed = true;
            worker.requestEnded();
            stopForwarding();
            if (endPos != lim) {
                worker.markBroken(); // bytes after END_REQUEST: php-cgi never does that
            }
            if (!finished) {
                RecordScan.setRequestId(b, p, requestId);
                toFront(b, r, endPos, true);
            }
            r = lim = 0;
            return true;
        }

        /**
         * fastcgi_finish_request(): the front's response ends here: the CGI head when the
         * script had sent nothing yet, the empty STDOUT, END_REQUEST.
         */
        private void finishFront(byte[] cgiHead) {
            finished = true;
            worker.requestFinishing();
            if (head != null && !head.done()) {
                head.feed(ByteBuffer.wrap(cgiHead), 0, cgiHead.length);
            }
            ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(cgiHead.length) + Records.paddedLength(0)
                    + Records.paddedLength(Fcgi.END_BODY_LEN));
            if (cgiHead.length > 0) {
                Records.stream(out, Fcgi.STDOUT, requestId, cgiHead, 0, cgiHead.length);
            }
            Records.header(out, Fcgi.STDOUT, requestId, 0);
            Records.endRequest(out, requestId, 0, Fcgi.REQUEST_COMPLETE);
            toFront(out.flip(), 0, out.limit(), true);
        }

        private String checkWorkerRecord(ByteBuffer b, int p) {
            int type = RecordScan.type(b, p);
            if (RecordScan.requestId(b, p) != WORKER_REQUEST_ID) {
                return "answered for request " + RecordScan.requestId(b, p);
            }
            if (type != Fcgi.STDOUT && type != Fcgi.STDERR && type != Fcgi.END_REQUEST) {
                return "sent a " + Fcgi.typeName(type) + " record";
            }
            return null;
        }

        /**
         * Writes relayed records to the front unless it is gone; after an abort only
         * END_REQUEST is passed on. Returns whether anything was written.
         */
        private boolean toFront(ByteBuffer b, int from, int to, boolean end) {
            if (frontDead) {
                return false;
            }
            if (aborted) {
                if (!end) {
                    return false;
                }
                from = to - Records.paddedLength(Fcgi.END_BODY_LEN);
            }
            frontWrite.lock();
            try {
                write(channel, b, from, to);
                return true;
            } catch (IOException e) {
                frontDead = true; // the client went away: drain the worker, then close
                return false;
            } finally {
                frontWrite.unlock();
            }
        }

        /**
         * The worker died or broke the protocol mid-request. If nothing of the answer
         * was sent, the front gets END_REQUEST with no output (nginx answers 502) and
         * stays usable; otherwise the front closes so the cut is visible.
         */
        private boolean workerFailed(String problem) throws InterruptedException {
            worker.requestEnded();
            worker.markBroken();
            stopForwarding();
            if (!worker.pool().isStopping()) {
                Log.debug("[pool " + pool.name() + "] child " + worker.pid() + " " + problem);
            }
            if (finished) {
                return true; // the front had its whole answer before
            }
            if (sentAny || frontDead) {
                frontDead = true;
                return false;
            }
            String text = "jfpm: child " + worker.pid() + " of pool " + pool.name() + " ended before answering";
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(bytes.length) + Records.paddedLength(8));
            Records.stream(out, Fcgi.STDERR, requestId, bytes, 0, bytes.length);
            Records.endRequest(out, requestId, 0, Fcgi.REQUEST_COMPLETE);
            return toFront(out.flip(), 0, out.limit(), true);
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
                pool.release(worker);
            }
        }
    }

    // ---- writing ----

    private ByteBuffer endRequest(int id, int protocolStatus) {
        ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(Fcgi.END_BODY_LEN));
        Records.endRequest(out, id, 0, protocolStatus);
        return out.flip();
    }

    private void reply(ByteBuffer answer) throws IOException {
        frontWrite.lock();
        try {
            write(channel, answer, answer.position(), answer.limit());
        } finally {
            frontWrite.unlock();
        }
    }

    /**
     * Writes {@code buf[from, to)} completely; blocking channels on virtual threads
     * park while they wait. The limit goes back to the capacity afterwards: every
     * other access to these buffers is absolute and checked against the limit.
     */
    private static void write(SocketChannel ch, ByteBuffer buf, int from, int to) throws IOException {
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
