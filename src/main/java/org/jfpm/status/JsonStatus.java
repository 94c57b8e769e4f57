package org.jfpm.status;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One line, no final newline, {@code , "processes":[} for {@code full}; strings
 * escaped as PHP's json_encode() does by default ({@code \/}, {@code \u00e9}).
 */
final class JsonStatus implements StatusWriter {

    @Override
    public String write(StatusSnapshot s, boolean full) {
        StringBuilder out = new StringBuilder(1024);
        out.append('{');
        members(out, s.poolFields());
        if (full) {
            out.append(", \"processes\":[");
            boolean first = true;
            for (StatusSnapshot.Process p : s.processes()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append('{');
                members(out, StatusSnapshot.processFields(p));
                out.append('}');
            }
            out.append(']');
        }
        return out.append('}').toString();
    }

    private static void members(StringBuilder out, List<StatusSnapshot.Field> fields) {
        boolean first = true;
        for (StatusSnapshot.Field f : fields) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append('"').append(f.key()).append("\":");
            if (f.kind() == StatusSnapshot.Kind.STRING) {
                string(out, f.value());
            } else {
                out.append(f.value());
            }
        }
    }

    /**
     * json_encode() of a string whose chars are bytes: the bytes are read as UTF-8
     * (invalid sequences become U+FFFD), every non-ASCII char is written {@code \}u.
     */
    static void string(StringBuilder out, String bytes) {
        String text = utf8(bytes);
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '/' -> out.append("\\/");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static String utf8(String bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            if (bytes.charAt(i) > 0x7f) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPLACE)
                            .onUnmappableCharacter(CodingErrorAction.REPLACE)
                            .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1)))
                            .toString();
                } catch (CharacterCodingException e) {
                    return bytes; // not reached with REPLACE
                }
            }
        }
        return bytes;
    }
}
