package org.jfpm.fastcgi;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * FastCGI name-value pairs (section 3.4): each length is one byte when below
 * 128, else four bytes with the top bit set; then the name and value bytes.
 * Names and values are bytes on the wire; they are read as ISO-8859-1 so that
 * every byte survives a round trip unchanged.
 */
public final class NameValuePairs {
    private NameValuePairs() {}

    /** Receives each decoded pair; returning false stops the walk early. */
    @FunctionalInterface
    public interface Visitor {
        boolean pair(String name, String value);
    }

    /** Receives where each pair lies in the buffer, for readers that take only a few pairs and copy nothing. */
    @FunctionalInterface
    public interface Positions {
        /** Returning false stops the walk early. */
        boolean pair(ByteBuffer buf, int name, int nameLen, int value, int valueLen);
    }

    /**
     * Walks the pairs in {@code buf[pos, limit)} by php-cgi's rule (main/fastcgi.c,
     * {@code fcgi_get_params}): a four-byte length must have a byte after it, a name
     * length must have a value length after it, and a pair must end within the record.
     * Returns null when every pair was well formed (or the visitor stopped), else what was wrong.
     * Lengths are checked against the bytes present before anything is read.
     */
    public static String walk(ByteBuffer buf, int pos, int limit, Positions visitor) {
        while (pos < limit) {
            int nameLen = length(buf, pos, limit);
            if (nameLen < 0) {
                return "truncated name length";
            }
            pos += width(buf, pos);
            if (pos >= limit) {
                return "truncated value length";
            }
            int valueLen = length(buf, pos, limit);
            if (valueLen < 0) {
                return "truncated value length";
            }
            pos += width(buf, pos);
            if ((long) nameLen + valueLen > limit - pos) {
                return "name-value pair longer than its record (" + nameLen + "+" + valueLen + " bytes)";
            }
            if (!visitor.pair(buf, pos, nameLen, pos + nameLen, valueLen)) {
                return null;
            }
            pos += nameLen + valueLen;
        }
        return null;
    }

    /** As {@link #walk}, with each name and value read as ISO-8859-1 text. */
    public static String decode(ByteBuffer buf, int pos, int limit, Visitor visitor) {
        return walk(buf, pos, limit, (b, name, nameLen, value, valueLen) ->
                visitor.pair(latin1(b, name, nameLen), latin1(b, value, valueLen)));
    }

    private static int width(ByteBuffer buf, int pos) {
        return (buf.get(pos) & 0x80) != 0 ? 4 : 1;
    }

    /** A length at {@code pos}, or -1 when a four-byte one has no byte after it (php-cgi's {@code p + 3 >= end}). */
    private static int length(ByteBuffer buf, int pos, int limit) {
        int first = buf.get(pos) & 0xFF;
        if ((first & 0x80) == 0) {
            return first;
        }
        if (limit - pos <= 4) {
            return -1;
        }
        return buf.getInt(pos) & 0x7FFF_FFFF;
    }

    private static String latin1(ByteBuffer buf, int pos, int len) {
        byte[] bytes = new byte[len];
        buf.get(pos, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Encodes the pairs in iteration order. */
    public static byte[] encode(Map<String, String> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pairs.forEach((name, value) -> encode(out, name, value));
        return out.toByteArray();
    }

    public static void encode(ByteArrayOutputStream out, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        writeLength(out, n.length);
        writeLength(out, v.length);
        out.writeBytes(n);
        out.writeBytes(v);
    }

    private static void writeLength(ByteArrayOutputStream out, int len) {
        if (len < 128) {
            out.write(len);
        } else {
            out.write((len >>> 24) | 0x80);
            out.write(len >>> 16);
            out.write(len >>> 8);
            out.write(len);
        }
    }
}
