package org.jfpm.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class LogLineTest {
    private static final LocalDateTime T = LocalDateTime.of(2026, 11, 27, 5, 21, 13, 557_031_000);

    @Test
    void phpFpmsFormat() {
        assertThat(LogLine.format(T, Level.NOTICE, "fpm is running, pid 14703", false, 1024))
                .isEqualTo("[27-Nov-2026 05:21:13] NOTICE: fpm is running, pid 14703");
    }

    @Test
    void debugLevelAddsMicroseconds() {
        assertThat(LogLine.format(T, Level.WARNING, "x", true, 1024))
                .isEqualTo("[27-Nov-2026 05:21:13.557031] WARNING: x");
    }

    /** Every month and the zero padding, against the JDK's own formatting of php-fpm's pattern. */
    @Test
    void everyMonthAsDateTimeFormatterWritesIt() {
        java.time.format.DateTimeFormatter jdk =
                java.time.format.DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss.SSSSSS", java.util.Locale.ENGLISH);
        for (int month = 1; month <= 12; month++) {
            LocalDateTime t = LocalDateTime.of(2026, month, 1, 0, 0, 9, 5_000);
            assertThat(LogLine.format(t, Level.DEBUG, "", true, 1024)).isEqualTo("[" + jdk.format(t) + "] DEBUG: ");
        }
    }

    @Test
    void aLineHasAtMostLogLimitMinusOneCharactersEndingInDots() {
        // php-fpm's buffer is log_limit bytes including the newline: full lines are 1023 characters
        String line = LogLine.format(T, Level.ERROR, "y".repeat(2000), false, 1024);
        assertThat(line).hasSize(1023).endsWith("y...");
        assertThat(LogLine.format(T, Level.ERROR, "y".repeat(993), false, 1024)).hasSize(1023).doesNotContain(".");
    }
}
