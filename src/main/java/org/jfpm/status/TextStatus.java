package org.jfpm.status;

import java.time.ZoneId;

/** The default format: {@code label:} padded to 22 columns, one field a line, workers after a row of stars. */
final class TextStatus implements StatusWriter {
    private final ZoneId zone;

    TextStatus(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String write(StatusSnapshot s, boolean full) {
        StringBuilder out = new StringBuilder(full ? 512 + 400 * s.processes().size() : 512);
        fields(out, s.poolFields());
        if (full) {
            for (StatusSnapshot.Process p : s.processes()) {
                out.append("\n************************\n");
                fields(out, StatusSnapshot.processFields(p));
            }
        }
        return out.toString();
    }

    private void fields(StringBuilder out, java.util.List<StatusSnapshot.Field> fields) {
        for (StatusSnapshot.Field f : fields) {
            int start = out.length();
            out.append(f.textLabel()).append(':');
            while (out.length() - start < 22) {
                out.append(' ');
            }
            out.append(f.kind() == StatusSnapshot.Kind.TIME ? StatusWriter.localTime(f.value(), zone) : f.value())
                    .append('\n');
        }
    }
}
