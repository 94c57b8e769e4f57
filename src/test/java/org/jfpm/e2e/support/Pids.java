package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signals and liveness by pid, for processes the tests started (or their descendants).
 *
 * <p>Liveness reads {@code /proc/PID/stat} rather than trusting {@link ProcessHandle#isAlive()}:
 * an orphaned worker whose new parent does not reap it stays a zombie, and a zombie has stopped
 * running, which is what the tests ask about.
 */
public final class Pids {

    private Pids() {}

    /** Sends a signal by name ({@code TERM}, {@code QUIT}, {@code KILL}, ...) with kill(1). */
    public static void signal(long pid, String name) {
        if (pid <= 1) {
            throw new IllegalArgumentException("refusing to signal pid " + pid);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(kill.getInputStream().readAllBytes()).trim();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -s " + name + " " + pid + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill(1)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pid, e);
        }
    }

    /** True if the process exists and is not a zombie. */
    public static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) S ..." - comm may contain spaces and parentheses, so look after the last ')'
            int close = stat.lastIndexOf(')');
            char state = stat.charAt(close + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits until none of the pids is running; returns those still running at the deadline. */
    public static List<Long> awaitGone(Collection<Long> pids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> running = new ArrayList<>(pids);
        while (true) {
            running.removeIf(pid -> !isRunning(pid));
            if (running.isEmpty() || System.nanoTime() > deadline) {
                return running;
            }
            sleep(Duration.ofMillis(50));
        }
    }

    /** The basename of a process's executable, or "" when it cannot be read. */
    public static String commandName(ProcessHandle process) {
        return process.info().command()
                .map(c -> Path.of(c).getFileName().toString())
                .orElse("");
    }

    public static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops a server we started, by pid: {@code signal}, then SIGKILL after {@code grace},
     * then SIGKILL to any of its children (as seen before the stop) still running.
     */
    public static void stopWithFamily(Process process, String signal, Duration grace) {
        List<ProcessHandle> family = process.descendants().toList();
        if (process.isAlive()) {
            signal(process.pid(), signal);
            if (!waitFor(process, grace)) {
                process.destroyForcibly();
                waitFor(process, grace);
            }
        }
        for (ProcessHandle p : family) {
            if (isRunning(p.pid())) {
                p.destroyForcibly();
            }
        }
    }

    private static boolean waitFor(Process process, Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
