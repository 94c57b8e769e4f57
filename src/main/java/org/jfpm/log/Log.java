package org.jfpm.log;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.util.function.Consumer;

/**
 * The master's error log, php-fpm's zlog: one line per message in php-fpm's
 * format, lines below {@code log_level} dropped, each line written with a
 * single write() so concurrent writers never interleave.
 *
 * <p>Where lines go follows php-fpm (sapi/fpm/fpm/fpm_stdio.c, fpm_stdio_open_error_log): to the {@code error_log}
 * file when daemonized, or when stderr is not a terminal and {@code -O} was not
 * given; else to stderr only. Until start-up completes, lines of NOTICE and
 * above written to the file are copied to stderr as well.
 */
public final class Log {
    private Log() {}

    private static volatile Level level = Level.NOTICE;
    private static volatile int limit = 1024;
    private static volatile OutputStream file;
    private static volatile Path filePath;
    private static volatile boolean toStderr = true;
    private static volatile boolean startingUp = true;
    /** Syslog priority for every line when logging to syslog, else -1. */
    private static volatile int syslogPriority = -1;
    private static volatile Consumer<String> tap;
    private static final StderrWriter STDERR = new StderrWriter();
    private static final Object LOCK = new Object();

    public static void setLevel(Level newLevel) {
        level = newLevel;
    }

    public static Level level() {
        return level;
    }

    public static void setLimit(int newLimit) {
        limit = newLimit;
    }

    /** Sends lines to the file at {@code path} (created 0600, appended to). */
    public static void openFile(Path path) throws IOException {
        OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // an existing log owned by someone else keeps its mode, as with php-fpm's open(O_CREAT)
        }
        OutputStream old;
        synchronized (LOCK) {
            old = file;
            file = out;
            filePath = path;
            toStderr = false;
            syslogPriority = -1;
        }
        if (old != null) {
            old.close();
        }
    }

    /** SIGUSR1: reopens the log file under its name, for logrotate (php-fpm's fpm_stdio_open_error_log). */
    public static void reopen() {
        Path path = filePath;
        if (path == null) {
            notice("error log file re-opened");
            return;
        }
        try {
            openFile(path);
            notice("error log file re-opened");
        } catch (IOException e) {
            error("unable to re-opened error log file");
        }
    }

    /** The log file lines go to, or null when they go to stderr. */
    public static Path file() {
        synchronized (LOCK) {
            return toStderr ? null : filePath;
        }
    }

    /**
     * {@code error_log = syslog}: lines go to syslog(3) as {@code [LEVEL] message},
     * without time. php-fpm's quirk is kept: the priority comes from the configured
     * log_level, not from each message's level (zlog.c).
     */
    public static void useSyslog(String ident, int facility) {
        org.jfpm.os.Native.openlog(ident, facility);
        synchronized (LOCK) {
            syslogPriority = switch (level) {
                case DEBUG -> 7;
                case NOTICE -> 5;
                case WARNING -> 4;
                case ERROR -> 3;
                case ALERT -> 1;
            };
            toStderr = false;
            filePath = null;
        }
    }

    /** Lines go to stderr only (foreground with a terminal or {@code -O}). */
    public static void useStderr() {
        synchronized (LOCK) {
            toStderr = true;
            syslogPriority = -1;
        }
    }

    /** Ends the start-up copy of file lines to stderr. */
    public static void startupComplete() {
        startingUp = false;
    }

    /** Every formatted line is also given to {@code consumer}: the unit tests read the log through it. */
    public static void tap(Consumer<String> consumer) {
        tap = consumer;
    }

    public static boolean enabled(Level l) {
        return l.compareTo(level) >= 0;
    }

    public static void debug(String message) {
        log(Level.DEBUG, message);
    }

    public static void notice(String message) {
        log(Level.NOTICE, message);
    }

    public static void warning(String message) {
        log(Level.WARNING, message);
    }

    public static void error(String message) {
        log(Level.ERROR, message);
    }

    public static void alert(String message) {
        log(Level.ALERT, message);
    }

    /** A null level prints the message as it stands, as php-fpm does with PHP's INI parser errors. */
    public static void log(Level l, String message) {
        if (l == null) {
            raw(message, true);
            return;
        }
        if (!enabled(l)) {
            return;
        }
        int priority = syslogPriority;
        if (priority >= 0 && !toStderr) {
            String line = LogLine.cut(new StringBuilder("[").append(l.name()).append("] ").append(message), limit);
            org.jfpm.os.Native.syslog(priority, line);
            if (startingUp && l.compareTo(Level.NOTICE) >= 0) {
                writeStderr(LogLine.format(LocalDateTime.now(), l, message, level == Level.DEBUG, limit));
            }
            Consumer<String> t = tap;
            if (t != null) {
                t.accept(line);
            }
            return;
        }
        String line = LogLine.format(LocalDateTime.now(), l, message, level == Level.DEBUG, limit);
        raw(line, l.compareTo(Level.NOTICE) >= 0);
    }

    private static void writeStderr(String line) {
        STDERR.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Writes out what is still queued for stderr (at most two seconds): before the process exits. */
    public static void flush() {
        STDERR.flush(2000);
    }

    /**
     * Characters a line at {@code l} spends before its message ({@code [27-Nov-2026 05:21:13] WARNING: }),
     * so that callers splitting long text can keep each line within log_limit.
     */
    public static int overhead(Level l) {
        return LogLine.format(LocalDateTime.now(), l, "", level == Level.DEBUG, Integer.MAX_VALUE).length();
    }

    public static int limit() {
        return limit;
    }

    /** Writes an already formatted line (captured worker output without decoration uses this too). */
    public static void raw(String line, boolean copyAtStartup) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (LOCK) {
            try {
                if (toStderr || file == null) {
                    STDERR.write(bytes);
                } else {
                    file.write(bytes);
                    if (startingUp && copyAtStartup) {
                        STDERR.write(bytes);
                    }
                }
            } catch (IOException e) {
                // nowhere left to report a failing log; php-fpm drops the line too
            }
        }
        Consumer<String> t = tap;
        if (t != null) {
            t.accept(line);
        }
    }
}
