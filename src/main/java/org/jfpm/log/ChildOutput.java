package org.jfpm.log;

import java.util.ArrayList;
import java.util.List;

/**
 * A line a worker wrote on its stdout or stderr, logged as php-fpm's master logs what
 * its children say (sapi/fpm/fpm/fpm_stdio.c, {@code fpm_stdio_child_said}) with
 * catch_workers_output: decorated, {@code WARNING: [pool www] child 123 said into
 * stderr: "..."}, or the raw line without a time; a line longer than log_limit allows
 * continues on as many more lines as it takes, each complete.
 */
public final class ChildOutput {
    private ChildOutput() {}

    public static void said(String pool, long pid, String stream, boolean decorate, String line) {
        if (decorate) {
            String prefix = PoolLog.prefixed(pool, "child " + pid + " said into " + stream + ": \"");
            int room = Log.limit() - 1 - Log.overhead(Level.WARNING) - prefix.length() - 1;
            for (String part : split(line, room)) {
                Log.warning(prefix + part + "\"");
            }
        } else {
            for (String part : split(line, Log.limit() - 1)) {
                Log.raw(part, false);
            }
        }
    }

    /** {@code text} in pieces of at most {@code room} characters (one empty piece for an empty line). */
    static List<String> split(String text, int room) {
        int step = Math.max(1, room);
        if (text.length() <= step) {
            return List.of(text);
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i += step) {
            parts.add(text.substring(i, Math.min(text.length(), i + step)));
        }
        return parts;
    }
}
