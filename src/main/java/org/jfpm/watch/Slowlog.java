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
import org.jfpm.front.RequestInfo;
import org.jfpm.log.Level;
import org.jfpm.log.Log;

/**
 * A pool's {@code slowlog} (php-fpm's fpm_php_trace.c): per slow request an
 * empty line, {@code [time]  [pool %s] pid %d}, {@code script_filename = %s},
 * then the backtrace.
 *
 * <p>php-fpm reads the backtrace from the child with ptrace, walking PHP's
 * executor_globals. jfpm does not read its workers' memory (yet): instead of
 * frames it writes one line saying so, in php-fpm's {@code +++} form for a
 * dump that could not be made, so nothing in the file is a guess. The file is
 * opened for each entry (O_APPEND) and each entry is one write().
 */
final class Slowlog {
    static final String NO_BACKTRACE =
            "+++ backtrace not available: jfpm does not read the memory of its php-cgi workers";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter TIME_MICROS =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss.SSSSSS", Locale.ENGLISH);

    private final Path path;

    Slowlog(String path) {
        this.path = Path.of(path);
    }

    static String entry(LocalDateTime time, boolean micros, String pool, long pid, RequestInfo info) {
        String script = info.scriptFilename() == null ? "" : info.scriptFilename();
        return "\n[" + (micros ? TIME_MICROS : TIME).format(time) + "]  [pool " + pool + "] pid " + pid + "\n"
                + "script_filename = " + script + "\n"
                + NO_BACKTRACE + "\n";
    }

    void write(String pool, long pid, RequestInfo info) {
        String text = entry(LocalDateTime.now(), Log.level() == Level.DEBUG, pool, pid, info);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            Log.error("unable to open slowlog (" + path + "): " + e.getMessage());
        }
    }
}
