package org.jfpm.front;

import java.io.IOException;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.RecordScan;

/**
 * The rest of a request's body, passed from the web server to the worker as it
 * arrives, on a virtual thread of its own while the connection's thread relays the
 * answer (a script may answer before it has read its input). Made only when the
 * body was not all there with the head.
 *
 * <p>STDIN and DATA records go to the worker renumbered, up to the empty STDIN;
 * management records are answered on the way. An ABORT_REQUEST, a web server that
 * goes away or one that breaks the protocol ends the worker's body with an empty
 * STDIN, so the script can finish; the protocol error is kept for the connection
 * to close with once the answer is relayed.
 */
final class BodyPump implements Runnable {
    private final FrontConnection conn;
    private final Relay relay;
    /** Why the web server's body broke the protocol, or null. */
    private volatile ProtocolException error;

    BodyPump(FrontConnection conn, Relay relay) {
        this.conn = conn;
        this.relay = relay;
    }

    /** Set once {@link #run} has returned: the body's protocol error, or null. */
    ProtocolException error() {
        return error;
    }

    @Override
    public void run() {
        try {
            while (true) {
                int n;
                try {
                    n = conn.nextRecord(false);
                } catch (ProtocolException | IOException e) {
                    relay.frontDead = true;
                    relay.endBodyForWorker();
                    if (e instanceof ProtocolException pe) {
                        error = pe;
                    }
                    return;
                }
                int type = conn.recordType();
                int id = conn.recordId();
                if (RequestReader.isBody(type) && id == conn.requestId) {
                    int at = conn.rp;
                    boolean last = conn.endsBody(at);
                    RecordScan.setRequestId(conn.in, at, Relay.WORKER_REQUEST_ID);
                    relay.toWorker(at, at + n, type == Fcgi.STDIN ? conn.recordContentLength() : 0);
                    if (last) {
                        relay.checkBodyLength();
                    }
                    conn.rp += n;
                    if (last) {
                        return;
                    }
                } else if (type == Fcgi.ABORT_REQUEST && id == conn.requestId) {
                    conn.rp += n;
                    relay.aborted = true;
                    relay.endBodyForWorker();
                    return;
                } else if (id == Fcgi.NULL_REQUEST_ID) {
                    try {
                        conn.answerManagement(n);
                    } catch (ProtocolException e) {
                        error = e;
                        relay.frontDead = true;
                        relay.endBodyForWorker();
                        return;
                    }
                } else {
                    error = conn.unexpectedInBody(type, id);
                    relay.frontDead = true;
                    relay.endBodyForWorker();
                    return;
                }
            }
        } catch (IOException e) {
            // writing a management answer failed: the web server is gone, and so is the rest
            // of the body; the script gets its end now rather than wait for input that never comes
            relay.frontDead = true;
            relay.endBodyForWorker();
        }
    }
}
