package org.jfpm.front;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;
import org.jfpm.pool.Pool;

/**
 * Answers management records (request id 0) in the master, without a worker
 * (FastCGI section 4). FCGI_GET_VALUES gets FCGI_GET_VALUES_RESULT with the
 * names jfpm knows: {@code FCGI_MPXS_CONNS=0} (one request at a time per
 * connection, as php-fpm), {@code FCGI_MAX_REQS} = pm.max_children (requests
 * served at once) and {@code FCGI_MAX_CONNS} (the listener's connection bound),
 * which php-fpm leaves out. Any
 * other management type gets FCGI_UNKNOWN_TYPE.
 */
final class ManagementReply {
    private ManagementReply() {}

    /** The answer to the management record at {@code pos}, ready to write. */
    static ByteBuffer answer(ByteBuffer in, int pos, int length, Pool pool, int maxConnections)
            throws ProtocolException {
        int type = RecordScan.type(in, pos);
        if (type != Fcgi.GET_VALUES) {
            ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(8));
            Records.unknownType(out, type);
            return out.flip();
        }
        // each known name is answered once, so the answer stays small whatever is asked
        java.util.SequencedMap<String, String> answers = new java.util.LinkedHashMap<>();
        int from = pos + Fcgi.HEADER_LEN;
        String error = NameValuePairs.decode(in, from, from + RecordScan.contentLength(in, pos), (name, ignored) -> {
            switch (name) {
                case Fcgi.MPXS_CONNS -> answers.put(name, "0");
                case Fcgi.MAX_REQS -> answers.put(name, Integer.toString(pool.config().pmMaxChildren()));
                case Fcgi.MAX_CONNS -> answers.put(name, Integer.toString(maxConnections));
                default -> { }
            }
            return true;
        });
        if (error != null) {
            throw new ProtocolException("malformed FCGI_GET_VALUES: " + error);
        }
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        answers.forEach((name, value) -> NameValuePairs.encode(pairs, name, value));
        byte[] content = pairs.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(content.length));
        Records.stream(out, Fcgi.GET_VALUES_RESULT, Fcgi.NULL_REQUEST_ID, content, 0, content.length);
        return out.flip();
    }
}
