package org.jfpm.front;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;
import org.jfpm.pool.Pool;
import org.jfpm.request.RequestInfo;

/**
 * Reads a request's head from the web server: BEGIN_REQUEST (FastCGI section 5.1),
 * then PARAMS up to the empty record (section 5.2); and, for an answer the master
 * writes itself, the body up to the empty STDIN, dropped (section 5.3). The records
 * stay where they are in the buffer, so the head goes to the worker as it came.
 *
 * <p>Management records (request id 0) are answered wherever they come (section 4.1).
 * An ABORT_REQUEST during PARAMS ends the request before it reaches a worker; a second
 * BEGIN_REQUEST gets FCGI_CANT_MPX_CONN (section 5.5). Any other record that has no
 * place where it comes closes the connection with {@link #unexpected}'s reason.
 */
abstract class RequestReader extends FrontChannel {
    /** PARAMS larger than this close the connection: no web server sends that much. */
    static final int MAX_PARAMS = 1 << 20;

    private final int maxConnections;
    /** The pool the current request is for: its figures answer FCGI_GET_VALUES. */
    Pool pool;
    int requestId;
    boolean keepConn;

    RequestReader(SocketChannel channel, int maxConnections) {
        super(channel);
        this.maxConnections = maxConnections;
    }

    /** Waits for BEGIN_REQUEST, answering management records; false on a clean close. */
    final boolean readBegin() throws IOException, ProtocolException {
        begin = -1;
        while (true) {
            int n = nextRecord(true);
            if (n < 0) {
                return false;
            }
            int type = recordType();
            int id = recordId();
            if (type == Fcgi.BEGIN_REQUEST && id != Fcgi.NULL_REQUEST_ID) {
                if (recordContentLength() != Fcgi.BEGIN_BODY_LEN) {
                    throw new ProtocolException("BEGIN_REQUEST with a body of "
                            + recordContentLength() + " bytes instead of 8");
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
            if (id == Fcgi.NULL_REQUEST_ID) {
                reply(managementAnswer(n));
            } else if (type == Fcgi.ABORT_REQUEST || (type == Fcgi.STDIN && recordContentLength() == 0)) {
                // a late abort, or an empty STDIN after the request ended: nothing to do (php-fpm skips them too)
            } else {
                throw unexpected(type, id, "outside a request");
            }
            rp += n;
            idleIfDrained();
        }
    }

    /** Reads PARAMS up to the empty record; false if the request was aborted meanwhile. */
    final boolean readParams() throws IOException, ProtocolException {
        int total = 0;
        while (true) {
            int n = nextRecord(false);
            int type = recordType();
            int id = recordId();
            if (type == Fcgi.PARAMS && id == requestId) {
                int len = recordContentLength();
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
                ByteBuffer answer = managementAnswer(n);
                removeRecord(n);
                reply(answer);
            } else if (type == Fcgi.BEGIN_REQUEST) {
                removeRecord(n);
                reply(endRequest(id, Fcgi.CANT_MPX_CONN)); // one request at a time per connection (section 5.5)
            } else {
                throw unexpected(type, id, "while reading PARAMS of request " + requestId);
            }
        }
    }

    /** Reads and drops the request's body records up to the empty STDIN. */
    final void skipBody() throws IOException, ProtocolException {
        while (true) {
            int n = nextRecord(false);
            int type = recordType();
            int id = recordId();
            if (isBody(type) && id == requestId) {
                boolean last = endsBody(rp);
                rp += n;
                if (last) {
                    return;
                }
            } else if (id == Fcgi.NULL_REQUEST_ID) {
                answerManagement(n);
            } else {
                throw unexpectedInBody(type, id);
            }
        }
    }

    /** Where the request's PARAMS records start: right after its BEGIN_REQUEST. */
    final int paramsStart() {
        return begin + Records.paddedLength(Fcgi.BEGIN_BODY_LEN);
    }

    /** The params of the head just read ({@code keepAll}: every one, for the access log's %e). */
    final RequestInfo params(boolean keepAll) {
        return RequestInfo.parse(in, paramsStart(), rp, keepAll);
    }

    static boolean isBody(int type) {
        return type == Fcgi.STDIN || type == Fcgi.DATA;
    }

    /** Whether the record at {@code p} is the empty STDIN that ends the body. */
    final boolean endsBody(int p) {
        return RecordScan.type(in, p) == Fcgi.STDIN && RecordScan.contentLength(in, p) == 0;
    }

    /** The answer to the management record at {@code rp}, {@code n} bytes long. */
    private ByteBuffer managementAnswer(int n) throws ProtocolException {
        return ManagementReply.answer(in, rp, n, pool, maxConnections);
    }

    /** Answers the management record at {@code rp}, {@code n} bytes long, and consumes it. */
    final void answerManagement(int n) throws IOException, ProtocolException {
        ByteBuffer answer = managementAnswer(n);
        rp += n;
        reply(answer);
    }

    /** The reason to close the connection for a record of the request's body that has no place there. */
    final ProtocolException unexpectedInBody(int type, int id) {
        return unexpected(type, id, "while reading the body of request " + requestId);
    }

    /** The reason to close the connection for a record that has no place {@code where} it came. */
    private static ProtocolException unexpected(int type, int id, String where) {
        return new ProtocolException("unexpected " + Fcgi.typeName(type) + " record for request " + id + " " + where);
    }

    /**
     * Apache's mod_proxy_fcgi (ProxyFCGIBackendType FPM, its default) sends
     * {@code SCRIPT_FILENAME=proxy:fcgi://host/path}; php-fpm takes the path, php-cgi
     * would answer 404. The master rewrites the request's PARAMS once, in place in
     * its buffer, with the prefix gone (the only path on which a head is re-encoded).
     */
    final RequestInfo stripProxyPrefix(RequestInfo info, boolean keepAll) throws ProtocolException {
        int from = paramsStart();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (int p = from; p < rp; p += RecordScan.recordLength(in, p)) {
            byte[] part = new byte[RecordScan.contentLength(in, p)];
            in.get(p + Fcgi.HEADER_LEN, part);
            content.writeBytes(part);
        }
        byte[] old = content.toByteArray();
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        String error = NameValuePairs.decode(ByteBuffer.wrap(old), 0, old.length, (name, value) -> {
            boolean path = name.equals("SCRIPT_FILENAME") || name.equals("PATH_TRANSLATED");
            NameValuePairs.encode(pairs, name, path ? ScriptCheck.stripProxyPrefix(value) : value);
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
        return RequestInfo.parse(in, from, rp, keepAll);
    }
}
