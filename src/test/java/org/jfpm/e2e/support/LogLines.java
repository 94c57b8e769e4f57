package org.jfpm.e2e.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lines a process writes to one stream, collected by a daemon thread, readable and
 * awaitable from the test thread.
 */
public final class LogLines {

    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    /** Starts a reader thread that drains the stream until it ends. */
    public static LogLines drain(InputStream in, String threadName) {
        LogLines log = new LogLines();
        Thread.ofPlatform().daemon().name(threadName).start(() -> log.readAll(in));
        return log;
    }

    private void readAll(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // the process went away with the pipe; what was read is kept
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
            }
        }
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized String text() {
        return String.join("\n", lines);
    }

    /** The first line matching the regex (find, not full match), if any so far. */
    public synchronized Optional<String> find(String regex) {
        Pattern p = Pattern.compile(regex);
        return lines.stream().filter(l -> p.matcher(l).find()).findFirst();
    }

    /**
     * Waits for a line matching the regex (find, not full match). Returns it, or empty when the
     * stream ended or the timeout passed first.
     */
    public Optional<String> await(String regex, Duration timeout) {
        return awaitMatches(regex, 1, timeout).stream().findFirst();
    }

    /**
     * Waits until {@code count} lines match the regex (find, not full match) and returns the
     * matching lines; fewer when the stream ended or the timeout passed first. A line the
     * process wrote is read by another thread, so a test that saw the effect of a log line
     * (a worker gone) waits for the line itself rather than reading the log at once.
     */
    public synchronized List<String> awaitMatches(String regex, int count, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> matched = new ArrayList<>();
        int checked = 0;
        while (true) {
            for (; checked < lines.size() && matched.size() < count; checked++) {
                if (p.matcher(lines.get(checked)).find()) {
                    matched.add(lines.get(checked));
                }
            }
            long left = deadline - System.nanoTime();
            if (matched.size() >= count || ended || left <= 0) {
                return matched;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return matched;
            }
        }
    }

    /** Waits until the stream ends (the writer closed it), at most the timeout. */
    public synchronized boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
