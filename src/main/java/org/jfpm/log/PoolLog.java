package org.jfpm.log;

/**
 * The error log as one pool writes to it: every line starts with {@code [pool NAME] },
 * as php-fpm's do (its zlog calls in fpm_children.c, fpm_process_ctl.c, fpm_request.c
 * all print {@code "[pool %s] ..."} with the pool's name).
 */
public record PoolLog(String pool) {

    /** {@code [pool NAME] } and the message: for text logged later, or by someone else. */
    public static String prefixed(String pool, String message) {
        return "[pool " + pool + "] " + message;
    }

    public String prefixed(String message) {
        return prefixed(pool, message);
    }

    public void log(Level level, String message) {
        if (Log.enabled(level)) {
            Log.log(level, prefixed(message));
        }
    }

    public void debug(String message) {
        log(Level.DEBUG, message);
    }

    public void notice(String message) {
        log(Level.NOTICE, message);
    }

    public void warning(String message) {
        log(Level.WARNING, message);
    }

    public void error(String message) {
        log(Level.ERROR, message);
    }
}
