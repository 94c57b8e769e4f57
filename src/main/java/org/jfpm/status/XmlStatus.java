package org.jfpm.status;

import java.util.List;

/** One element per line for the pool; for {@code full} one {@code <process>} line per worker. Times are epoch seconds. */
final class XmlStatus implements StatusWriter {

    @Override
    public String write(StatusSnapshot s, boolean full) {
        StringBuilder out = new StringBuilder(1024);
        out.append("<?xml version=\"1.0\" ?>\n<status>\n");
        elements(out, s.poolFields(), "\n");
        if (full) {
            out.append("<processes>\n");
            for (StatusSnapshot.Process p : s.processes()) {
                out.append("<process>");
                elements(out, StatusSnapshot.processFields(p), "");
                out.append("</process>\n");
            }
            out.append("</processes>\n");
        }
        return out.append("</status>").toString();
    }

    private static void elements(StringBuilder out, List<StatusSnapshot.Field> fields, String after) {
        for (StatusSnapshot.Field f : fields) {
            String tag = f.key().replace(' ', '-');
            String value = f.kind() == StatusSnapshot.Kind.STRING ? StatusWriter.html(f.value()) : f.value();
            out.append('<').append(tag).append('>').append(value).append("</").append(tag).append('>').append(after);
        }
    }
}
