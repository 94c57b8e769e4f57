package org.jfpm.front;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.ChildOutput;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.pool.Worker;

/**
 * The worker's answer to one request, passed to the web server as it comes: its
 * STDOUT and STDERR records go out from the worker's buffer with the request id
 * rewritten, in as few writes as the reads allow, up to its END_REQUEST. The
 * CGI head is looked at on the way only when the access log needs it.
 *
 * <p>FCGI_STDERR is PHP's log messages: each record's text goes through
 * {@link PhpMessages} to leave in php-fpm's form (and, with catch_workers_output,
 * into the master's log as the child's lines).
 *
 * <p>fastcgi_finish_request() arrives as the pool's marker on FCGI_STDERR (see
 * {@link FinishMarker}): the web server then gets the rest of its response from
 * the master (the CGI head if none was sent, the empty STDOUT, END_REQUEST) and
 * everything the worker sends afterwards is read and dropped.
 *
 * <p>A worker that breaks the protocol or dies mid-request is reported here
 * ({@link #workerFailed}). The body side of the same request is {@link Relay}'s,
 * which is this object too: one per request.
 */
abstract sealed class ResponseRelay permits Relay {
    final FrontConnection conn;
    final Worker worker;
    /** The web server's id for this request, written into every record passed on. */
    final int requestId;
    /** The response's CGI head, read only when the pool logs requests. */
    final ResponseHead head;
    private final byte[] marker;
    /** PHP's messages of this request so far, made on its first FCGI_STDERR record. */
    private PhpMessages messages;
    /** Worker records not yet passed on are {@code worker.buffer()[r, lim)}. */
    private int r;
    private int lim;
    private boolean sentAny;
    /** fastcgi_finish_request() was called: the front has its END_REQUEST, the rest is dropped. */
    volatile boolean finished;
    /** The worker's END_REQUEST arrived (it did not die or break the protocol first). */
    boolean completed;
    /** The web server is gone (or broke the protocol in the body): nothing more is written to it. */
    volatile boolean frontDead;
    /** The web server aborted the request: of the rest of the answer only END_REQUEST is passed on. */
    volatile boolean aborted;
    /** A graceful stop had begun when END_REQUEST went out: the connection's output is shut, it serves no other request. */
    boolean lastAnswer;

    ResponseRelay(FrontConnection conn, Worker worker, ResponseHead head) {
        this.conn = conn;
        this.worker = worker;
        this.requestId = conn.requestId;
        this.head = head;
        this.marker = conn.finishMarker;
    }

    /** Stops passing body records to the worker: its answer has ended. */
    abstract void stopForwarding() throws InterruptedException;

    /**
     * Relays the worker's records to the front until END_REQUEST, or until the
     * fastcgi_finish_request() marker (then {@link #finished} is set and a second
     * call drops the rest). Returns false when the front connection must close
     * because the answer was cut short.
     */
    final boolean relayResponse() throws InterruptedException {
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
                    if (type == Fcgi.STDERR) {
                        phpMessages(b, p); // logged as the child's, no longer sent
                    }
                    r = p + m;
                } else if (type == Fcgi.STDERR && marker != null && (finishHead = FinishMarker.head(b,
                        p + Fcgi.HEADER_LEN, RecordScan.contentLength(b, p), marker)) != null) {
                    if (p > r) {
                        sentAny |= toFront(b, r, p, false);
                    }
                    r = p + m;
                    finishFront(finishHead);
                    return true;
                } else if (type == Fcgi.STDERR) {
                    if (p > r) {
                        sentAny |= toFront(b, r, p, false);
                    }
                    r = p + m;
                    sentAny |= stderrToFront(phpMessages(b, p));
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
        byte[] rest = messages == null ? null : messages.end();
        if (!finished) {
            if (rest != null && rest.length > 0) {
                if (p > r) {
                    toFront(b, r, p, false);
                }
                r = p;
                stderrToFront(rest);
            }
            RecordScan.setRequestId(b, p, requestId);
            toFront(b, r, endPos, true);
        }
        r = lim = 0;
        return true;
    }

    /** The php-fpm form of the worker's FCGI_STDERR record at {@code p} (see {@link PhpMessages}). */
    private byte[] phpMessages(ByteBuffer b, int p) {
        if (messages == null) {
            PoolConfig pc = worker.pool().config();
            String pool = pc.name();
            long pid = worker.pid();
            boolean decorate = pc.decorateWorkersOutput();
            messages = new PhpMessages(PhpMessages.levelPrefix("NOTICE", Log.enabled(Level.NOTICE)),
                    PhpMessages.levelPrefix("ERROR", Log.enabled(Level.ERROR)), Log.limit(),
                    pc.catchWorkersOutput() ? line -> ChildOutput.said(pool, pid, "stderr", decorate, line) : null);
        }
        byte[] content = new byte[RecordScan.contentLength(b, p)];
        b.get(p + Fcgi.HEADER_LEN, content);
        return messages.feed(content, 0, content.length);
    }

    private boolean stderrToFront(byte[] text) {
        if (text.length == 0) {
            return false;
        }
        ByteBuffer out = ByteBuffer.allocate(text.length + (text.length / Fcgi.MAX_CONTENT + 1) * 16);
        Records.streamAll(out, Fcgi.STDERR, requestId, text);
        return toFront(out.flip(), 0, out.limit(), false);
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

    /** Why the worker's record at {@code p} may not be passed on, or null when it may. */
    private static String checkWorkerRecord(ByteBuffer b, int p) {
        int type = RecordScan.type(b, p);
        if (RecordScan.requestId(b, p) != Relay.WORKER_REQUEST_ID) {
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
        try {
            conn.writeToFront(b, from, to);
            if (end && conn.draining()) {
                // the FIN follows END_REQUEST at once: nginx then sees both before it keeps
                // the connection for its next request, and drops it instead of sending on it
                lastAnswer = true;
                conn.endOutput();
            }
            return true;
        } catch (IOException e) {
            frontDead = true; // the client went away: drain the worker, then close
            return false;
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
            worker.pool().log().debug("child " + worker.pid() + " " + problem);
        }
        if (finished) {
            return true; // the front had its whole answer before
        }
        if (sentAny || frontDead) {
            frontDead = true;
            return false;
        }
        String text = "jfpm: child " + worker.pid() + " of pool " + worker.pool().name() + " ended before answering";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(bytes.length) + Records.paddedLength(8));
        Records.stream(out, Fcgi.STDERR, requestId, bytes, 0, bytes.length);
        Records.endRequest(out, requestId, 0, Fcgi.REQUEST_COMPLETE);
        return toFront(out.flip(), 0, out.limit(), true);
    }
}
