package org.jfpm.fastcgi;

import java.nio.ByteBuffer;

/**
 * Finds the next record in a buffer without decoding its body: the record is
 * either complete, incomplete (read more), or malformed. Protocol code is pure
 * (no I/O) and never throws on bad input: the caller gets a typed verdict and
 * decides what to do with the connection.
 *
 * <p>Usage: {@code int n = RecordScan.scan(buf, pos, limit)}; {@code n > 0} is the
 * length of a complete record at {@code pos}, {@link #INCOMPLETE} asks for more
 * bytes, {@link #BAD_VERSION} reports a header that is not FastCGI 1.
 */
public final class RecordScan {
    private RecordScan() {}

    public static final int INCOMPLETE = 0;
    public static final int BAD_VERSION = -1;

    public static int scan(ByteBuffer buf, int pos, int limit) {
        if (limit - pos < Fcgi.HEADER_LEN) {
            return INCOMPLETE;
        }
        if ((buf.get(pos + Fcgi.OFF_VERSION) & 0xFF) != Fcgi.VERSION_1) {
            return BAD_VERSION;
        }
        int total = Fcgi.HEADER_LEN + contentLength(buf, pos) + paddingLength(buf, pos);
        return limit - pos >= total ? total : INCOMPLETE;
    }

    /** The full length of the record whose header starts at {@code pos}; the header must be present. */
    public static int recordLength(ByteBuffer buf, int pos) {
        return Fcgi.HEADER_LEN + contentLength(buf, pos) + paddingLength(buf, pos);
    }

    public static int type(ByteBuffer buf, int pos) {
        return buf.get(pos + Fcgi.OFF_TYPE) & 0xFF;
    }

    public static int requestId(ByteBuffer buf, int pos) {
        return buf.getShort(pos + Fcgi.OFF_REQUEST_ID) & 0xFFFF;
    }

    public static void setRequestId(ByteBuffer buf, int pos, int id) {
        buf.putShort(pos + Fcgi.OFF_REQUEST_ID, (short) id);
    }

    public static int contentLength(ByteBuffer buf, int pos) {
        return buf.getShort(pos + Fcgi.OFF_CONTENT_LENGTH) & 0xFFFF;
    }

    public static int paddingLength(ByteBuffer buf, int pos) {
        return buf.get(pos + Fcgi.OFF_PADDING_LENGTH) & 0xFF;
    }
}
