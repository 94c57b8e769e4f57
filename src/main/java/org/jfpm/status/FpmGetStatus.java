package org.jfpm.status;

import java.util.Locale;

/**
 * The array PHP's {@code fpm_get_status()} returns in php-fpm (fpm_status.c),
 * as JSON for jfpm's prelude to decode: the pool fields with {@code -} for spaces
 * and a {@code procs} list whose items split the request URI from its query string
 * ({@code request-uri}, {@code query-string}) and call the content length
 * {@code request-length}, as php-fpm's array does.
 */
final class FpmGetStatus {
    private FpmGetStatus() {}

    static String json(StatusSnapshot s) {
        StringBuilder out = new StringBuilder(512);
        out.append('{');
        boolean first = true;
        for (StatusSnapshot.Field f : s.fpmPoolFields()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            member(out, f.key().replace(' ', '-'), f);
        }
        out.append(",\"procs\":[");
        for (int i = 0; i < s.processes().size(); i++) {
            StatusSnapshot.Process p = s.processes().get(i);
            if (i > 0) {
                out.append(',');
            }
            int q = p.requestUri().indexOf('?');
            String uri = q < 0 ? p.requestUri() : p.requestUri().substring(0, q);
            String query = q < 0 ? "" : p.requestUri().substring(q + 1);
            out.append("{\"pid\":").append(p.pid());
            out.append(",\"state\":");
            JsonStatus.string(out, p.state());
            out.append(",\"start-time\":").append(p.startTime());
            out.append(",\"start-since\":").append(p.startSince());
            out.append(",\"requests\":").append(p.requests());
            out.append(",\"request-duration\":").append(p.requestDuration());
            out.append(",\"request-method\":");
            JsonStatus.string(out, p.requestMethod());
            out.append(",\"request-uri\":");
            JsonStatus.string(out, uri);
            out.append(",\"query-string\":");
            JsonStatus.string(out, query);
            out.append(",\"request-length\":").append(p.contentLength());
            out.append(",\"user\":");
            JsonStatus.string(out, p.user());
            out.append(",\"script\":");
            JsonStatus.string(out, p.script());
            out.append(",\"last-request-cpu\":").append(String.format(Locale.ROOT, "%.2f", p.lastRequestCpu()));
            out.append(",\"last-request-memory\":").append(p.lastRequestMemory());
            out.append('}');
        }
        return out.append("]}").toString();
    }

    private static void member(StringBuilder out, String key, StatusSnapshot.Field f) {
        out.append('"').append(key).append("\":");
        if (f.kind() == StatusSnapshot.Kind.STRING) {
            JsonStatus.string(out, f.value());
        } else {
            out.append(f.value());
        }
    }
}
