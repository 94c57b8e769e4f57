package org.jfpm.cli;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jfpm.log.Log;

/**
 * {@code daemonize = yes} / {@code -D} without fork(): the JVM cannot fork, so
 * the calling jfpm starts the master again through the launcher in a new
 * session ({@code setsid}), waits up to 10 seconds for its verdict on a pipe,
 * and exits 0 on success or 70 otherwise, as php-fpm's calling process does.
 */
final class Daemon {
    private Daemon() {}

    private static final String CHILD = "JFPM_DAEMON_CHILD";
    static final int EXIT_SOFTWARE = 70;

    static boolean isChild() {
        return "1".equals(System.getenv(CHILD));
    }

    /** The pipe to the waiting parent; the child's stdout, which is pointed at /dev/null afterwards. */
    static PrintStream statusStream() {
        return new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.US_ASCII);
    }

    static int startChild(String[] argv) throws IOException, InterruptedException {
        String launcher = System.getenv("JFPM_LAUNCHER");
        if (launcher == null) {
            Log.error("cannot daemonize: start jfpm with bin/jfpm, or run it in the foreground with -F");
            return EXIT_SOFTWARE;
        }
        List<String> cmd = new ArrayList<>(List.of("setsid", launcher));
        cmd.addAll(List.of(argv));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put(CHILD, "1");
        Process child = pb.start();
        CompletableFuture<String> verdict = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                return r.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line;
        try {
            line = verdict.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            line = null;
        }
        if ("ready".equals(line)) {
            return 0;
        }
        if (line == null) {
            Log.error("the master process didn't send back its status (via the pipe to the calling process)");
        }
        return EXIT_SOFTWARE;
    }
}
