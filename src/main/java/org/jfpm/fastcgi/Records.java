package org.jfpm.fastcgi;

import java.nio.ByteBuffer;

/**
 * Writes whole records into a buffer: the header, the body and padding to a
 * multiple of 8 bytes (section 3.3 recommends 8-byte alignment). Each method
 * appends at the buffer's position and advances it.
 */
public final class Records {
    private Records() {}

    /** Bytes a record with this much content takes once padded. */
    public static int paddedLength(int contentLength) {
        return Fcgi.HEADER_LEN + contentLength + padding(contentLength);
    }

    private static int padding(int contentLength) {
        return (8 - (contentLength & 7)) & 7;
    }

    public static void header(ByteBuffer out, int type, int requestId, int contentLength) {
        if (contentLength < 0 || contentLength > Fcgi.MAX_CONTENT) {
            throw new IllegalArgumentException("record content of " + contentLength + " bytes (at most 65535)");
        }
        out.put((byte) Fcgi.VERSION_1)
                .put((byte) type)
                .putShort((short) requestId)
                .putShort((short) contentLength)
                .put((byte) padding(contentLength))
                .put((byte) 0);
    }

    private static void pad(ByteBuffer out, int contentLength) {
        for (int i = padding(contentLength); i > 0; i--) {
            out.put((byte) 0);
        }
    }

    public static void beginRequest(ByteBuffer out, int requestId, int role, int flags) {
        header(out, Fcgi.BEGIN_REQUEST, requestId, Fcgi.BEGIN_BODY_LEN);
        out.putShort((short) role).put((byte) flags).put(new byte[5]);
    }

    public static void endRequest(ByteBuffer out, int requestId, int appStatus, int protocolStatus) {
        header(out, Fcgi.END_REQUEST, requestId, Fcgi.END_BODY_LEN);
        out.putInt(appStatus).put((byte) protocolStatus).put(new byte[3]);
    }

    public static void unknownType(ByteBuffer out, int type) {
        header(out, Fcgi.UNKNOWN_TYPE, Fcgi.NULL_REQUEST_ID, 8);
        out.put((byte) type).put(new byte[7]);
    }

    /** A stream record (PARAMS, STDIN, STDOUT, STDERR, DATA, GET_VALUES...); empty content ends a stream. */
    public static void stream(ByteBuffer out, int type, int requestId, byte[] content, int off, int len) {
        header(out, type, requestId, len);
        out.put(content, off, len);
        pad(out, len);
    }

    /** Content split into as many records as needed, without the empty closing record. */
    public static void streamAll(ByteBuffer out, int type, int requestId, byte[] content) {
        for (int off = 0; off < content.length; off += Fcgi.MAX_CONTENT) {
            stream(out, type, requestId, content, off, Math.min(Fcgi.MAX_CONTENT, content.length - off));
        }
    }
}
