package org.jfpm.os;

import java.util.Locale;

/** Linux x86-64/arm64 signal numbers and names as php-fpm prints them ({@code 9 (SIGKILL)}). */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGILL = 4;
    public static final int SIGABRT = 6;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGSEGV = 11;
    public static final int SIGUSR2 = 12;
    public static final int SIGPIPE = 13;
    public static final int SIGALRM = 14;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;

    private static final String[] NAMES = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    };

    public static String name(int signal) {
        return signal > 0 && signal < NAMES.length ? NAMES[signal] : "SIG" + signal;
    }

    /** Parses {@code QUIT}, {@code SIGQUIT} or {@code 3}; -1 when unknown. */
    public static int parse(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.chars().allMatch(Character::isDigit) && !n.isEmpty()) {
            return Integer.parseInt(n);
        }
        String full = n.startsWith("SIG") ? n : "SIG" + n;
        for (int i = 1; i < NAMES.length; i++) {
            if (full.equals(NAMES[i])) {
                return i;
            }
        }
        return -1;
    }
}
