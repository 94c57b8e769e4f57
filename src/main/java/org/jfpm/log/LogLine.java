package org.jfpm.log;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * php-fpm's error-log line (zlog.c): {@code [27-Nov-2026 05:21:13] NOTICE: text},
 * local time, English month; at {@code log_level = debug} the time carries
 * microseconds. The line, newline excluded, is cut to {@code log_limit}
 * characters with {@code ...} at its end, as php-fpm cuts over-long messages.
 */
public final class LogLine {
    private LogLine() {}

    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss", Locale.ENGLISH);
    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss.SSSSSS", Locale.ENGLISH);

    public static String format(LocalDateTime time, Level level, String message, boolean micros, int limit) {
        StringBuilder line = new StringBuilder(48 + message.length());
        line.append('[').append((micros ? MICROS : SECONDS).format(time)).append("] ")
                .append(level.name()).append(": ").append(message);
        return cut(line, limit);
    }

    /** php-fpm's buffer holds log_limit bytes with the newline: a line has at most log_limit - 1 characters. */
    static String cut(StringBuilder line, int limit) {
        if (limit > 4 && line.length() > limit - 1) {
            line.setLength(limit - 4);
            line.append("...");
        }
        return line.toString();
    }
}
