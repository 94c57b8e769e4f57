package org.jfpm.config;

import org.jfpm.log.PoolLog;

/** php-fpm's checks of pm.status_path and ping.path (fpm_conf_process_all_pools). */
final class StatusPathCheck {
    private StatusPathCheck() {
    }

    /**
     * @param what     "status" or "ping", as in php-fpm's message
     * @param allowShort php-fpm accepts a one-character status path when pm.status_listen is set
     * @return the error text, or null when the path is acceptable
     */
    static String check(String pool, String what, String path, boolean allowShort) {
        if (!path.startsWith("/")) {
            return PoolLog.prefixed(pool, "the " + what + " path '" + path + "' must start with a '/'");
        }
        if (path.length() < 2 && !allowShort) {
            return PoolLog.prefixed(pool, "the " + what + " path '" + path + "' is not long enough");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "/_-.~".indexOf(c) >= 0;
            if (!ok) {
                return PoolLog.prefixed(pool, "the " + what + " path '" + path
                        + "' must contain only the following characters '[alphanum]/_-.~'");
            }
        }
        return null;
    }
}
