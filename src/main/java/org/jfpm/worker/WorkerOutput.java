package org.jfpm.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.jfpm.log.ChildOutput;

/**
 * Reads a worker's stdout and stderr into the error log (catch_workers_output),
 * line by line, as {@link ChildOutput} logs them.
 */
final class WorkerOutput {
    private WorkerOutput() {}

    static void capture(WorkerSpec spec, Process process) {
        pump(spec, process.pid(), "stdout", process.getInputStream());
        pump(spec, process.pid(), "stderr", process.getErrorStream());
    }

    private static void pump(WorkerSpec spec, long pid, String stream, InputStream in) {
        Thread.ofVirtual().name("worker-" + pid + "-" + stream).start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    ChildOutput.said(spec.pool(), pid, stream, spec.decorateOutput(), line);
                }
            } catch (IOException ignored) {
                // the pipe closes when the worker exits
            }
        });
    }
}

