package org.jfpm.log;

import java.time.LocalDateTime;

/**
 * php-fpm's error-log line (zlog.c): {@code [27-Nov-2026 05:21:13] NOTICE: text},
 * local time, English month; at {@code log_level = debug} the time carries
 * microseconds. The line, newline excluded, is cut to {@code log_limit}
 * characters with {@code ...} at its end, as php-fpm cuts over-long messages.
 */
public final class LogLine {
    private LogLine() {}

    /** strftime's %b in the C locale, which zlog's time uses (zlog.c, zlog_print_time). */
    private static final String[] MONTHS =
            {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    public static String format(LocalDateTime time, Level level, String message, boolean micros, int limit) {
        StringBuilder line = new StringBuilder(48 + message.length());
        line.append('[');
        // written out rather than with DateTimeFormatter, whose month names come from the
        // locale data, slow to load before the first line of every start
        digits(line, time.getDayOfMonth(), 2).append('-').append(MONTHS[time.getMonthValue() - 1]).append('-');
        digits(line, time.getYear(), 4).append(' ');
        digits(line, time.getHour(), 2).append(':');
        digits(line, time.getMinute(), 2).append(':');
        digits(line, time.getSecond(), 2);
        if (micros) {
            digits(line.append('.'), time.getNano() / 1000, 6);
        }
        line.append("] ").append(level.name()).append(": ").append(message);
        return cut(line, limit);
    }

    /** {@code value} with leading zeros to {@code width} digits. */
    private static StringBuilder digits(StringBuilder line, int value, int width) {
        String text = Integer.toString(value);
        for (int i = text.length(); i < width; i++) {
            line.append('0');
        }
        return line.append(text);
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
