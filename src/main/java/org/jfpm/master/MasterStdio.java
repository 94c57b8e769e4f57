package org.jfpm.master;

import java.io.IOException;
import java.nio.file.Path;
import org.jfpm.config.GlobalConfig;
import org.jfpm.log.Log;
import org.jfpm.os.Native;

/**
 * Where the master's log lines and its stdio go (php-fpm's sapi/fpm/fpm/fpm_stdio.c):
 * the error_log file, syslog or stderr at start, stdio redirected once started, the
 * log settings of a reloaded configuration.
 */
final class MasterStdio {
    private MasterStdio() {}

    /**
     * php-fpm's rule (fpm_stdio_open_error_log in sapi/fpm/fpm/fpm_stdio.c): the file when
     * daemonized or without a terminal, unless -O.
     */
    static boolean openLog(GlobalConfig global, boolean forceStderr) {
        Log.setLevel(global.logLevel());
        Log.setLimit(global.logLimit());
        boolean toFile = global.daemonize() || (!forceStderr && !stderrIsTerminal());
        if (!toFile) {
            Log.useStderr();
            return true;
        }
        if (global.errorLog().equalsIgnoreCase("syslog")) {
            Log.useSyslog(global.syslogIdent(), global.syslogFacilityCode().code());
            return true;
        }
        try {
            Log.openFile(Path.of(global.errorLog()));
            return true;
        } catch (IOException e) {
            Log.useStderr();
            Log.error("failed to open error_log (" + global.errorLog() + "): " + e.getMessage());
            return false;
        }
    }

    /**
     * isatty(2): bin/jfpm's answer when it gave one ({@code JFPM_STDERR_ISATTY}, from its
     * {@code test -t 2}, which is isatty(3)), so that the first log line does not wait for
     * libc's functions to be linked; else asked here.
     */
    private static boolean stderrIsTerminal() {
        String launcherSaid = System.getenv("JFPM_STDERR_ISATTY");
        if ("1".equals(launcherSaid) || "0".equals(launcherSaid)) {
            return launcherSaid.equals("1");
        }
        return Native.isatty(2);
    }

    /**
     * After start-up, as php-fpm does: stray output to fd 2 lands in the error log
     * file when there is one, and a daemon keeps nothing of its caller's terminal.
     */
    static void detach(boolean daemonized) {
        try {
            if (Log.file() != null) {
                Native.redirect(2, Log.file().toString(), Native.O_WRONLY | Native.O_APPEND | Native.O_CREAT);
            } else if (daemonized) {
                Native.redirect(2, "/dev/null", Native.O_WRONLY);
            }
            if (daemonized) {
                Native.redirect(1, "/dev/null", Native.O_WRONLY);
            }
        } catch (Native.NativeException e) {
            Log.warning("unable to redirect the master's stdio: " + e.getMessage());
        }
    }

    /** log_level and log_limit of a reloaded configuration; a changed error_log is reopened. */
    static void reapply(GlobalConfig global) {
        Log.setLevel(global.logLevel());
        Log.setLimit(global.logLimit());
        Path file = Log.file();
        if (file != null && !global.errorLog().equalsIgnoreCase("syslog") && !file.equals(Path.of(global.errorLog()))) {
            try {
                Log.openFile(Path.of(global.errorLog()));
            } catch (IOException e) {
                Log.error("failed to open error_log (" + global.errorLog() + "): " + e.getMessage());
            }
        }
    }
}
