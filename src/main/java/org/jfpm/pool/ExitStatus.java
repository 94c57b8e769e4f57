package org.jfpm.pool;

import org.jfpm.os.Signals;

/**
 * How a worker ended, rendered as php-fpm's fpm_children.c prints it:
 * {@code exited with code 0} or {@code exited on signal 9 (SIGKILL)}.
 * The JDK reports death by signal N as exit value 128 + N; php-cgi itself
 * never exits with a code above 128.
 */
record ExitStatus(int code, int signal) {

    static ExitStatus fromExitValue(int value) {
        return value > 128 ? new ExitStatus(0, value - 128) : new ExitStatus(value, 0);
    }

    /** php-fpm logs clean ends (code 0, or SIGQUIT it asked for) as NOTICE, anything else as WARNING. */
    boolean clean() {
        return signal == 0 ? code == 0 : signal == Signals.SIGQUIT;
    }

    String describe() {
        return signal == 0 ? "exited with code " + code
                : "exited on signal " + signal + " (" + Signals.name(signal) + ")";
    }

    /** {@code 3.201234}: seconds with six decimals, php-fpm's {@code %ld.%06d}. */
    static String seconds(long nanos) {
        long micros = nanos / 1000;
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }
}
