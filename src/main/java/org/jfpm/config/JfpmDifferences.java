package org.jfpm.config;

import org.jfpm.log.PoolLog;
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
                notices.add(ConfigMessage.notice(PoolLog.prefixed(pool.name(),
                        "'apparmor_hat' is not supported by jfpm, workers run unconfined")));
            }
            sharedOpcache(global, pool).ifPresent(notices::add);
        }
        return notices;
    }

    /** What a pool's workers mode changes from php-fpm (docs/differences.md, "Shared opcache"). */
    private static java.util.Optional<ConfigMessage> sharedOpcache(SectionValues global, PoolSection pool) {
        SectionValues v = pool.values();
        String tag = PoolLog.prefixed(pool.name(), "");
        SharedOpcache mode = v.get(PoolDirectives.JFPM_SHARED_OPCACHE);
        String why = SharedOpcache.whySeparate(v.get(PoolDirectives.CATCH_WORKERS_OUTPUT),
                v.get(PoolDirectives.DECORATE_WORKERS_OUTPUT), global.get(GlobalDirectives.EMERGENCY_RESTART_THRESHOLD),
                global.get(GlobalDirectives.PROCESS_MAX));
        if (mode == SharedOpcache.NO) {
            return java.util.Optional.empty();
        }
        if (mode == SharedOpcache.AUTO && why != null) {
            return java.util.Optional.of(ConfigMessage.notice(tag + "opcache is not shared by jfpm's workers in this"
                    + " pool: " + why + " (set 'jfpm.shared_opcache = yes' to share it anyway)"));
        }
        String forked = v.get(PoolDirectives.PM) == Pm.STATIC ? ""
                : "; pm.max_children children stay forked and the process manager counts those serving";
        return java.util.Optional.of(ConfigMessage.notice(tag + "workers share opcache as children forked by jfpm's"
                + " php-cgi parent, which reaps them: a child that dies on its own is logged without its signal"
                + forked + " ('jfpm.shared_opcache = no' keeps one php-cgi per worker)"));
    }
}
