package org.jfpm.log;

import java.util.Locale;
import java.util.Optional;

/**
 * php-fpm's log levels, lowest first. The names are printed as they stand
 * ({@code NOTICE: fpm is running, pid 12}); {@code log_level} drops everything
 * below the configured level (zlog.c).
 */
public enum Level {
    DEBUG, NOTICE, WARNING, ERROR, ALERT;

    /** Parses a {@code log_level} value: {@code alert error warning warn notice debug}, any case. */
    public static Optional<Level> parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "debug" -> Optional.of(DEBUG);
            case "notice" -> Optional.of(NOTICE);
            case "warning", "warn" -> Optional.of(WARNING);
            case "error" -> Optional.of(ERROR);
            case "alert" -> Optional.of(ALERT);
            default -> Optional.empty();
        };
    }
}
