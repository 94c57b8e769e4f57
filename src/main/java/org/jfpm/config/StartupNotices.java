package org.jfpm.config;

import org.jfpm.log.PoolLog;
import java.util.ArrayList;
import java.util.List;

/**
 * The NOTICE lines php-fpm prints at a real start (not during -t) when it is not root and the
 * file asks for things only root can do (observed order: global process.priority, then per pool
 * user, group, chroot, process.priority).
 */
final class StartupNotices {
    private StartupNotices() {
    }

    static List<ConfigMessage> of(SectionValues global, List<PoolSection> pools, boolean root) {
        List<ConfigMessage> notices = new ArrayList<>();
        if (root) {
            return notices;
        }
        if (global.get(GlobalDirectives.PROCESS_PRIORITY) != null) {
            notices.add(ConfigMessage.notice("'process.priority' directive is ignored when FPM is not running as root"));
        }
        for (PoolSection pool : pools) {
            for (Directive<?> d : List.of(PoolDirectives.USER, PoolDirectives.GROUP, PoolDirectives.CHROOT,
                    PoolDirectives.PROCESS_PRIORITY)) {
                if (pool.values().isSet(d)) {
                    notices.add(ConfigMessage.notice(PoolLog.prefixed(pool.name(), "'" + d.name()
                            + "' directive is ignored when FPM is not running as root")));
                }
            }
        }
        return notices;
    }
}
