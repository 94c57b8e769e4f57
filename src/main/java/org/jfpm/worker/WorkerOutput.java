package org.jfpm.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.jfpm.log.Level;
import org.jfpm.log.Log;

/**
 * Reads a worker's stdout and stderr into the error log (catch_workers_output).
 * A line longer than log_limit allows is split into several complete lines, each
 * with its own prefix and quotes, as php-fpm's fpm_stdio.c does (1500 characters:
 * 1023 + the rest with the default limit).
 */
final class WorkerOutput {
    private WorkerOutput() {}

    /** {@code text} in pieces of at most {@code room} characters (one empty piece for an empty line). */
    static java.util.List<String> split(String text, int room) {
        int step = Math.max(1, room);
        if (text.length() <= step) {
            return java.util.List.of(text);
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (int i = 0; i < text.length(); i += step) {
            parts.add(text.substring(i, Math.min(text.length(), i + step)));
        }
        return parts;
    }

    static void capture(WorkerSpec spec, Process process) {
        pump(spec, process.pid(), "stdout", process.getInputStream());
        pump(spec, process.pid(), "stderr", process.getErrorStream());
    }

    private static void pump(WorkerSpec spec, long pid, String stream, InputStream in) {
        Thread.ofVirtual().name("worker-" + pid + "-" + stream).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                String prefix = "[pool " + spec.pool() + "] child " + pid + " said into " + stream + ": \"";
                while ((line = reader.readLine()) != null) {
                    if (spec.decorateOutput()) {
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
            } catch (IOException ignored) {
                // the pipe closes when the worker exits
            }
        });
    }
}

