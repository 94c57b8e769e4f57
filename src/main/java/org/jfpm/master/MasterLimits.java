package org.jfpm.master;

import org.jfpm.config.GlobalConfig;
import org.jfpm.log.Log;
import org.jfpm.os.Accounts;
import org.jfpm.os.Native;

/**
 * The master's own rlimit_files, rlimit_core and process.priority from [global], set
 * before anything starts (php-fpm's sapi/fpm/fpm/fpm_unix.c, fpm_unix_init_main): the
 * workers inherit the limits, as php-fpm's children do.
 */
final class MasterLimits {
    private MasterLimits() {}

    /** Applies them; false after logging, in php-fpm's words, the one that failed. */
    static boolean apply(GlobalConfig global) {
        try {
            if (global.rlimitFiles() > 0) {
                Native.setrlimit(Native.RLIMIT_NOFILE, global.rlimitFiles());
            }
        } catch (Native.NativeException e) {
            Log.alert("failed to set rlimit_files for this pool. Please check your system limits or decrease "
                    + "rlimit_files. setrlimit(RLIMIT_NOFILE, " + global.rlimitFiles() + "): " + tail(e));
            return false;
        }
        try {
            long core = global.rlimitCore();
            if (core != 0) {
                Native.setrlimit(Native.RLIMIT_CORE, core < 0 ? Native.RLIM_INFINITY : core);
            }
        } catch (Native.NativeException e) {
            Log.alert("failed to set rlimit_core for this pool. Please check your system limits or decrease "
                    + "rlimit_core. setrlimit(RLIMIT_CORE, " + global.rlimitCore() + "): " + tail(e));
            return false;
        }
        if (global.processPriority() != null && Accounts.runningAsRoot()) {
            try {
                Native.setpriority(global.processPriority());
            } catch (Native.NativeException e) {
                Log.error("Unable to set priority for the master process: " + tail(e));
                return false;
            }
        }
        return true;
    }

    private static String tail(Native.NativeException e) {
        String m = e.getMessage();
        return m.substring(m.indexOf(": ") + 2);
    }
}
