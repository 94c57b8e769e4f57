package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Directives jfpm accepts but cannot honour the way php-fpm does: one NOTICE each, saying what
 * jfpm does instead (docs/configuration.md lists the same differences).
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
        }
        return notices;
    }
}
