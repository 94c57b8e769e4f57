package org.jfpm.watch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.jfpm.request.RequestInfo;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.os.PhpStack;

/**
 * A pool's {@code slowlog} (php-fpm's fpm_php_trace.c): per slow request an
 * empty line, {@code [time]  [pool %s] pid %d}, {@code script_filename = %s},
 * then the backtrace.
 *
 * <p>php-fpm reads the backtrace from the child with ptrace, walking PHP's
 * executor_globals; jfpm reads the same frames from {@code /proc/<pid>/mem}
 * ({@link PhpStack}) while the worker runs. When the worker's memory layout is
 * not one jfpm knows (not Debian-style php-cgi8.2, non-ZTS, x86_64) or its
 * memory cannot be opened, one line {@code +++ backtrace not available: <why>}
 * stands for the frames, so nothing in the file is a guess. The file is
 * opened for each entry (O_APPEND) and each entry is one write().
 */
final class Slowlog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter TIME_MICROS =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss.SSSSSS", Locale.ENGLISH);

    private final Path path;
    private final int traceDepth;

    Slowlog(String path, int traceDepth) {
        this.path = Path.of(path);
        this.traceDepth = traceDepth;
    }

    /** @param trace the backtrace lines, each ending in a newline */
    static String entry(LocalDateTime time, boolean micros, String pool, long pid, RequestInfo info, String trace) {
        String script = info.scriptFilename() == null ? "" : info.scriptFilename();
        return "\n[" + (micros ? TIME_MICROS : TIME).format(time) + "]  [pool " + pool + "] pid " + pid + "\n"
                + "script_filename = " + script + "\n"
                + trace;
    }

    void write(String pool, long pid, RequestInfo info) {
        LocalDateTime now = LocalDateTime.now();
        String text = entry(now, Log.level() == Level.DEBUG, pool, pid, info, PhpStack.trace(pid, traceDepth));
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            Log.error("unable to open slowlog (" + path + "): " + e.getMessage());
        }
    }
}
