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

    /**
     * How a shared parent's child most likely ended, from the last signal the master sent
     * it (php-cgi's parent reaps it, so the real status is not known here): php-cgi
     * exits with code 0 after SIGTERM (its FastCGI layer's handler ends the loop), and
     * dies of any other signal it was sent. Null when the master sent none.
     */
    static ExitStatus afterSignal(int signal) {
        if (signal == 0) {
            return null;
        }
        return signal == Signals.SIGTERM ? new ExitStatus(0, 0) : new ExitStatus(0, signal);
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
