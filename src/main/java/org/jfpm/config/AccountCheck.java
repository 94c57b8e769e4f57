package org.jfpm.config;

import org.jfpm.log.PoolLog;
import static org.jfpm.config.PoolDirectives.*;

import java.util.List;
import org.jfpm.os.Accounts;

/**
 * What php-fpm checks after post-processing: every pool's user, group, listen.owner and
 * listen.group must resolve (all-digit values are taken as ids, not looked up). A failure
 * here is followed only by {@code FPM initialization failed} (observed). A master that runs
 * as another user than root skips user and group, which it ignores with a NOTICE
 * (fpm_unix_conf_wp in sapi/fpm/fpm/fpm_unix.c); {@code -t} checks them all the same.
 */
final class AccountCheck {
    private AccountCheck() {
    }

    static void check(List<PoolSection> pools, boolean identityApplies) throws LoadFailure {
        for (PoolSection pool : pools) {
            SectionValues v = pool.values();
            String tag = PoolLog.prefixed(pool.name(), "");
            if (identityApplies) {
                checkUser(tag, v.get(USER), "");
                checkGroup(tag, v.get(GROUP), "");
            }
            // php-fpm appends errno to these two; getpwnam leaves it at 0 for an unknown name
            checkUser(tag, v.get(LISTEN_OWNER), ": Success (0)");
            checkGroup(tag, v.get(LISTEN_GROUP), ": Success (0)");
        }
    }

    private static void checkUser(String tag, String user, String suffix) throws LoadFailure {
        if (user != null && !user.isEmpty() && !isNumeric(user) && Accounts.user(user).isEmpty()) {
            throw new LoadFailure(ConfigMessage.error(tag + "cannot get uid for user '" + user + "'" + suffix));
        }
    }

    private static void checkGroup(String tag, String group, String suffix) throws LoadFailure {
        if (group != null && !group.isEmpty() && !isNumeric(group) && Accounts.groupId(group).isEmpty()) {
            throw new LoadFailure(ConfigMessage.error(tag + "cannot get gid for group '" + group + "'" + suffix));
        }
    }

    static boolean isNumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
