package org.jfpm.config;

import java.util.Locale;
import java.util.Optional;

/** The syslog facilities {@code syslog.facility} accepts, with their syslog.h codes. */
public enum SyslogFacility {
    KERN(0), USER(1), MAIL(2), DAEMON(3), AUTH(4), SYSLOG(5), LPR(6), NEWS(7), UUCP(8), CRON(9),
    AUTHPRIV(10), FTP(11),
    LOCAL0(16), LOCAL1(17), LOCAL2(18), LOCAL3(19), LOCAL4(20), LOCAL5(21), LOCAL6(22), LOCAL7(23);

    private final int number;

    SyslogFacility(int number) {
        this.number = number;
    }

    /** The facility code as syslog(3) wants it (LOG_DAEMON = 3 << 3 = 24). */
    public int code() {
        return number << 3;
    }

    /** The lower-case name, e.g. {@code daemon}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<SyslogFacility> parse(String value) {
        for (SyslogFacility f : values()) {
            if (f.name().equalsIgnoreCase(value)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
