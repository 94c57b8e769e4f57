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

    /**
     * Walks the pairs in {@code buf[pos, limit)}. Returns null when every pair was
     * well formed, else a description of what was wrong (lengths are checked
     * against the bytes present before anything is read).
     */
    public static String decode(ByteBuffer buf, int pos, int limit, Visitor visitor) {
        while (pos < limit) {
            long nameLen = length(buf, pos, limit);
            if (nameLen < 0) {
                return "truncated name length";
            }
            pos += (buf.get(pos) & 0x80) != 0 ? 4 : 1;
            long valueLen = length(buf, pos, limit);
            if (valueLen < 0) {
                return "truncated value length";
            }
            pos += (buf.get(pos) & 0x80) != 0 ? 4 : 1;
            if (nameLen + valueLen > limit - pos) {
                return "name-value pair longer than its record (" + nameLen + "+" + valueLen + " bytes)";
            }
            String name = latin1(buf, pos, (int) nameLen);
            pos += (int) nameLen;
            String value = latin1(buf, pos, (int) valueLen);
            pos += (int) valueLen;
            if (!visitor.pair(name, value)) {
                return null;
            }
        }
        return null;
    }

    /** A length at {@code pos}, or -1 if its bytes are not all there. */
    private static long length(ByteBuffer buf, int pos, int limit) {
        if (pos >= limit) {
            return -1;
        }
        int first = buf.get(pos) & 0xFF;
        if ((first & 0x80) == 0) {
            return first;
        }
        if (limit - pos < 4) {
            return -1;
        }
        return buf.getInt(pos) & 0x7FFF_FFFFL;
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
