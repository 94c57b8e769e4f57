package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bare {@code php-cgi -b SOCK} with {@code PHP_FCGI_CHILDREN=4}: no jfpm at all. Used to
 * prove the nginx fixture and the HTTP-level tests before trusting them on jfpm
 * ({@code -De2e.backend=php-cgi}).
 */
public final class PhpCgiDirect implements FastCgiBackend {

    private final ScratchDir dir;
    private final Process process;
    private final LogLines output;
    private final List<ProcessHandle> children;

    private PhpCgiDirect(ScratchDir dir, Process process, LogLines output, List<ProcessHandle> children) {
        this.dir = dir;
        this.process = process;
        this.output = output;
        this.children = children;
    }

    public static PhpCgiDirect start(int children) {
        ScratchDir dir = ScratchDir.create("phpcgi-e2e-");
        Process process = null;
        try {
            Path socket = dir.resolve("php-cgi.sock");
            ProcessBuilder pb = new ProcessBuilder("php-cgi", "-b", socket.toString()).redirectErrorStream(true);
            pb.environment().put("PHP_FCGI_CHILDREN", Integer.toString(children));
            pb.environment().put("PHP_FCGI_MAX_REQUESTS", "0");
            process = pb.start();
            LogLines output = LogLines.drain(process.getInputStream(), "php-cgi-output");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("php-cgi exited with " + process.exitValue() + ": " + output.text());
                }
                if (Listening.accepts(socket) && process.children().count() >= children) {
                    return new PhpCgiDirect(dir, process, output, process.children().toList());
                }
                Pids.sleep(Duration.ofMillis(50));
            }
            throw new AssertionError("php-cgi did not listen on " + socket + ": " + output.text());
        } catch (IOException e) {
            dir.close();
            throw new AssertionError("cannot start php-cgi (is php8.2-cgi installed?)", e);
        } catch (RuntimeException | Error e) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            dir.close();
            throw e;
        }
    }

    @Override
    public String nginxAddress() {
        return "unix:" + dir.resolve("php-cgi.sock");
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public List<Long> workerPids() {
        return process.children().filter(p -> Pids.isRunning(p.pid())).map(ProcessHandle::pid).sorted().toList();
    }

    @Override
    public String describe() {
        return "php-cgi -b, pid " + process.pid() + ": " + output.text();
    }

    /** SIGTERM to the supervisor stops it and its children; KILL whatever is left after 5 s. */
    @Override
    public void close() {
        try {
            List<ProcessHandle> family = new java.util.ArrayList<>(children);
            family.addAll(process.descendants().toList());
            if (process.isAlive()) {
                Pids.signal(process.pid(), "TERM");
                try {
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        process.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<Long> left = Pids.awaitGone(family.stream().map(ProcessHandle::pid).toList(), Duration.ofSeconds(5));
            family.stream().filter(p -> left.contains(p.pid())).forEach(ProcessHandle::destroyForcibly);
        } finally {
            dir.close();
        }
    }
}
