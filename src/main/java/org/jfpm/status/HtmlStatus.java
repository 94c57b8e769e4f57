package org.jfpm.status;

import java.time.ZoneId;
import java.util.List;

/** php-fpm's XHTML 1.0 Strict page: one table of the pool, and for {@code full} a bordered table of workers. */
final class HtmlStatus implements StatusWriter {
    private final ZoneId zone;

    HtmlStatus(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public String write(StatusSnapshot s, boolean full) {
        StringBuilder out = new StringBuilder(2048);
        out.append("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
                + "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                + "<head><title>PHP-FPM Status Page</title></head>\n"
                + "<body>\n"
                + "<table>\n");
        for (StatusSnapshot.Field f : s.poolFields()) {
            out.append("<tr><th>").append(f.key()).append("</th><td>").append(value(f)).append("</td></tr>\n");
        }
        out.append("</table>\n");
        if (!full) {
            return out.append("</body></html>").toString();
        }
        out.append("<table border=\"1\">\n<tr>");
        List<StatusSnapshot.Field> header = s.processes().isEmpty() ? null
                : StatusSnapshot.processFields(s.processes().getFirst());
        for (String key : header == null ? PROCESS_KEYS : header.stream().map(StatusSnapshot.Field::key).toList()) {
            out.append("<th>").append(key).append("</th>");
        }
        out.append("</tr>\n");
        for (StatusSnapshot.Process p : s.processes()) {
            out.append("<tr>");
            for (StatusSnapshot.Field f : StatusSnapshot.processFields(p)) {
                out.append("<td>").append(value(f)).append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</table></body></html>").toString();
    }

    private static final List<String> PROCESS_KEYS = List.of("pid", "state", "start time", "start since", "requests",
            "request duration", "request method", "request uri", "content length", "user", "script",
            "last request cpu", "last request memory");

    private String value(StatusSnapshot.Field f) {
        return switch (f.kind()) {
            case TIME -> StatusWriter.localTime(f.value(), zone);
            case STRING -> StatusWriter.html(f.value());
            case NUMBER -> f.value();
        };
    }
}
