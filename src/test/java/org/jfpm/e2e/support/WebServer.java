package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A web server other than nginx (Apache, Caddy) in the foreground on 127.0.0.1:&lt;free
 * port&gt;, as a child of the test JVM: its configuration and logs in its own temp dir,
 * stopped by its pid (TERM, then KILL for it and every descendant it had).
 */
public final class WebServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final ScratchDir dir;
    private final Process process;
    private final int port;
    private final LogLines output;
    private final Path errorLog;

    private WebServer(String name, ScratchDir dir, Process process, int port, LogLines output, Path errorLog) {
        this.name = name;
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.output = output;
        this.errorLog = errorLog;
    }

    /** What to run, given the temp dir and the port: the command, its environment, its error log. */
    public record Launch(List<String> command, Map<String, String> environment, Path errorLog) {}

    /**
     * Starts {@code name} with the command {@code launch} makes for a temp dir and a free
     * port, and waits until the port accepts connections (three ports are tried when the
     * first is taken in between).
     */
    public static WebServer start(String name, BiFunction<ScratchDir, Integer, Launch> launch) {
        ScratchDir dir = ScratchDir.create(name + "-e2e-");
        try {
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = Listening.free();
                try {
                    return launch(name, dir, port, launch.apply(dir, port));
                } catch (IllegalStateException e) {
                    last = e;
                    if (!e.getMessage().contains("in use")) {
                        break;
                    }
                }
            }
            throw last;
        } catch (RuntimeException | Error e) {
            dir.close();
            throw e;
        }
    }

    private static WebServer launch(String name, ScratchDir dir, int port, Launch launch) {
        ProcessBuilder pb = new ProcessBuilder(launch.command()).directory(dir.path().toFile()).redirectErrorStream(true);
        pb.environment().putAll(launch.environment());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + launch.command(), e);
        }
        LogLines output = LogLines.drain(process.getInputStream(), name + "-output");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                output.awaitEnd(Duration.ofSeconds(1));
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " at start:\n"
                        + output.text() + "\n" + Nginx.readQuietly(launch.errorLog()));
            }
            if (Listening.accepts(port)) {
                return new WebServer(name, dir, process, port, output, launch.errorLog());
            }
            Pids.sleep(Duration.ofMillis(50));
        }
        List<ProcessHandle> family = process.descendants().toList();
        process.destroyForcibly();
        family.forEach(ProcessHandle::destroyForcibly);
        throw new IllegalStateException(name + " did not listen on " + port + " within " + START_TIMEOUT + ":\n"
                + output.text() + "\n" + Nginx.readQuietly(launch.errorLog()));
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** The server's output and error log so far, for assertion messages. */
    public String describe() {
        return "--- " + name + " output\n" + output.text() + "\n--- " + name + " error log\n"
                + Nginx.readQuietly(errorLog);
    }

    @Override
    public void close() {
        try {
            Pids.stopWithFamily(process, "TERM", STOP_GRACE);
            output.awaitEnd(Duration.ofSeconds(1));
        } finally {
            dir.close();
        }
    }

    /** True when {@code command} is an executable on PATH or an absolute executable path. */
    public static boolean installed(String command) {
        if (command.startsWith("/")) {
            return Files.isExecutable(Path.of(command));
        }
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
