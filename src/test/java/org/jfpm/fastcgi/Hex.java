package org.jfpm.fastcgi;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Wire fixtures written as hex, so that a test reads like the byte layout of the spec. */
final class Hex {
    private Hex() {}

    /** {@code "01 06 00 01"}: spaces and {@code |} separators are ignored. */
    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    /** The bytes written so far, {@code [0, position)}, as spaced hex. */
    static String written(ByteBuffer buf) {
        byte[] out = new byte[buf.position()];
        buf.get(0, out);
        return spaced(out);
    }

    static String spaced(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
