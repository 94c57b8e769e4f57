package org.jfpm.front;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.log.AccessEntry;
import org.jfpm.log.AccessLog;
import org.jfpm.os.RequestUsage;
import org.jfpm.pool.QueueRefusal;
import org.jfpm.pool.Worker;
import org.jfpm.request.RequestInfo;

/**
 * One connection from the web server, served on its own virtual thread, one request
 * at a time. Its states, and the timer of each:
 *
 * <ul>
 * <li><b>waiting</b> for BEGIN_REQUEST; management records such as FCGI_GET_VALUES
 *     are answered here. The head timer runs from the accept for the first request;
 *     on a kept connection none runs until the next request's first byte.
 * <li><b>reading params</b> until the empty PARAMS record, under the head timer. An
 *     ABORT_REQUEST answers END_REQUEST and goes back to waiting (or closes without
 *     FCGI_KEEP_CONN).
 * <li><b>answering in the master</b>: ping, status, a script {@link ScriptCheck}
 *     refuses (404, 403), or a request the pool's queue turned away (503). The
 *     body is read and dropped, the page written; no timer.
 * <li><b>queued</b> in the pool until a worker is free (the pool's queue limits apply).
 * <li><b>relaying</b> through a {@link Relay}: the request head and the body records
 *     already read go to the worker in one write, the rest of the body follows from a
 *     {@link BodyPump} (only when the body was not all there), and the worker's records
 *     come back with the request id rewritten; request_terminate_timeout is the pool's
 *     request watch's. Record bodies are never decoded or copied between buffers. The
 *     worker is back in the pool as soon as its END_REQUEST has been passed on, so a
 *     kept connection never pins a worker.
 * <li><b>closed</b>: at a clean end of stream between requests; after a request without
 *     FCGI_KEEP_CONN, as the specification asks (section 5.1); when the head timer
 *     expires; when the peer breaks the protocol (a WARNING names the reason: nothing
 *     it sends reaches a worker outside a well-formed request); when the pool stops;
 *     at a graceful stop (SIGQUIT, {@link Listener#drain}): at once while idle between
 *     requests, else with the answer in flight (its FIN right after its END_REQUEST,
 *     see {@link ResponseRelay}), so that the web server sends its next request to
 *     another host.
 * </ul>
 *
 * <p>Reading and validating the head is {@link RequestReader}'s, the buffer and the
 * head timer {@link FrontChannel}'s: the layers of this one object.
 */
final class FrontConnection extends RequestReader implements Runnable {
    private static final long MASTER_PID = ProcessHandle.current().pid();

    private final Listener listener;
    final String peer;
    /** The web server's IP for the access log's {@code %R}; null on a unix socket. */
    final String peerIp;
    /** The router and access log of the current request, read from the listener per request (reload). */
    private Router router;
    /** Null when the pool keeps no access log: then nothing of the response is looked at. */
    AccessLog accessLog;
    /** When the current request's head was complete: the access log's accept time. */
    long headNanos;
    long headMillis;
    /** The pool's fastcgi_finish_request() marker line, or null when its workers have no prelude. */
    byte[] finishMarker;
    private String phpHeaders = "";
    private ScriptCheck scriptCheck;

    FrontConnection(SocketChannel channel, Listener listener, String peer, String peerIp) {
        super(channel, listener.maxConnections());
        this.listener = listener;
        bind();
        this.peer = peer;
        this.peerIp = peerIp;
    }

    @Override
    public void run() {
        takeBuffer();
        try {
            while (serveOne()) {
                // next request on a kept connection
            }
        } catch (ProtocolException e) {
            pool.log().warning("closing FastCGI connection from " + peer + ": " + e.getMessage());
        } catch (IOException e) {
            if (headTimedOut()) {
                pool.log().warning("closing FastCGI connection from " + peer + ": no complete "
                        + "request head within " + Listener.HEAD_TIMEOUT_SECONDS + " seconds");
            } else {
                pool.log().debug("FastCGI connection from " + peer + " failed: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already gone
            }
            giveBackBuffer();
            listener.closed(this);
        }
    }

    /** A graceful stop has begun: an answer ending now is the connection's last. */
    boolean draining() {
        return listener.draining();
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
        headExpected();
        if (listener.draining() && closeIfIdle()) {
            return false; // a graceful stop: the request before was this kept connection's last
        }
        if (!readBegin()) {
            return false;
        }
        requestBegun();
        bind();
        boolean complete = readParams();
        headDone();
        if (!complete) {
            return keepConn; // aborted before it reached a worker
        }
        if (accessLog != null) {
            headNanos = System.nanoTime();
            headMillis = System.currentTimeMillis();
        }
        boolean keepAll = accessLog != null && accessLog.format().usesParams();
        RequestInfo info = params(keepAll);
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
            info = stripProxyPrefix(info, keepAll);
        }
        return relay(info);
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
            RecordScan.setRequestId(in, p, Relay.WORKER_REQUEST_ID);
        }
        in.put(begin + Fcgi.OFF_BEGIN_FLAGS, (byte) Fcgi.KEEP_CONN);
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                worker = pool.acquireAgain(); // it had its turn in the queue
                if (worker == null) {
                    return false;
                }
            }
            Relay relay = new Relay(this, worker, info, headBodyBytes);
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
}
