package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Directives jfpm accepts but cannot honour the way php-fpm does: one NOTICE each, saying what
 * jfpm does instead (docs/differences.md lists these and every other difference).
 */
final class JfpmDifferences {
    private JfpmDifferences() {
    }

    static List<ConfigMessage> notices(SectionValues global, List<PoolSection> pools) {
        List<ConfigMessage> notices = new ArrayList<>();
        String mechanism = global.get(GlobalDirectives.EVENTS_MECHANISM);
        if (global.isSet(GlobalDirectives.EVENTS_MECHANISM) && !mechanism.equalsIgnoreCase("epoll")) {
            notices.add(ConfigMessage.notice("'events.mechanism' = '" + mechanism
                    + "' is not supported by jfpm, connections are served by virtual threads"));
        }
        for (PoolSection pool : pools) {
            if (pool.values().get(PoolDirectives.APPARMOR_HAT) != null) {
                notices.add(ConfigMessage.notice("[pool " + pool.name()
                        + "] 'apparmor_hat' is not supported by jfpm, workers run unconfined"));
            }
            java.util.List<ArrayEntry> admin = pool.values().get(PoolDirectives.PHP_ADMIN_VALUE);
            if (admin != null && !admin.isEmpty()) {
                // php-cgi has no ini level above ini_set(): see docs/differences.md
                notices.add(ConfigMessage.notice("[pool " + pool.name() + "] php_admin_value and php_admin_flag "
                        + "are applied at worker start but not locked against ini_set() by jfpm (php-cgi cannot lock them)"));
            }
        }
        return notices;
    }
}
