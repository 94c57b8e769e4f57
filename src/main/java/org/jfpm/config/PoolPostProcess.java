package org.jfpm.config;

import org.jfpm.log.PoolLog;
import static org.jfpm.config.PoolDirectives.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * php-fpm's per-pool post-processing (fpm_conf_process_all_pools), in its order and with its
 * texts and levels: defaults that depend on other values, relative paths, then the checks of
 * fpm_conf_process_all_pools (sapi/fpm/fpm/fpm_conf.c). The first failure stops everything.
 */
final class PoolPostProcess {
    private final PathResolution paths;
    private final boolean root;
    private final boolean allowRoot;
    private final String eventsMechanism;
    private final List<ConfigMessage> messages;

    PoolPostProcess(PathResolution paths, boolean root, boolean allowRoot, String eventsMechanism,
                    List<ConfigMessage> messages) {
        this.paths = paths;
        this.root = root;
        this.allowRoot = allowRoot;
        this.eventsMechanism = eventsMechanism;
        this.messages = messages;
    }

    void process(PoolSection pool, List<PoolSection> earlier) throws LoadFailure {
        String name = pool.name();
        SectionValues v = pool.values();
        String tag = PoolLog.prefixed(name, "");
        if (v.get(PREFIX) != null) {
            v.set(PREFIX, paths.installPath(v.get(PREFIX)));
            if (!Files.isDirectory(Path.of(v.get(PREFIX)))) {
                throw error(tag + "the prefix '" + v.get(PREFIX) + "' does not exist or is not a directory");
            }
        }
        if (v.get(USER) == null && root && !allowRoot) {
            throw alert(tag + "user has not been defined");
        }
        String listen = v.get(LISTEN);
        if (listen == null || listen.isEmpty()) {
            throw alert(tag + "no listen address have been defined!");
        }
        if (isUnixSocket(listen)) {
            v.set(LISTEN, paths.poolPath(listen, v.get(PREFIX)));
        }
        Integer priority = v.get(PROCESS_PRIORITY);
        if (priority != null && (priority < -19 || priority > 20)) {
            throw error(tag + "process.priority must be included into [-19,20]");
        }
        checkProcessManager(tag, v);
        checkStatusAndPing(name, v);
        checkLogsAndTimeouts(tag, v);
        checkChrootAndChdir(tag, v);
        resolvePhpValuePaths(v);
        for (PoolSection other : earlier) {
            if (listen.equals(other.values().get(LISTEN)) || v.get(LISTEN).equals(other.values().get(LISTEN))) {
                throw error(tag + "unable to set listen address as it's already used in another pool '"
                        + other.name() + "'");
            }
        }
        if (v.get(ACCESS_LOG) != null) {
            if (v.get(ACCESS_FORMAT) == null) {
                v.set(ACCESS_FORMAT, ACCESS_FORMAT.effective()); // -tt shows the default once access.log is set
            }
            String format = v.effective(ACCESS_FORMAT);
            String problem = AccessFormatCheck.firstProblem(format);
            if (problem != null) {
                messages.add(ConfigMessage.warning(problem));
                throw error(tag + "wrong format for access.format '" + format + "'");
            }
        }
    }

    /** A listen value without ':' that is not a bare port is a unix socket path. */
    static boolean isUnixSocket(String listen) {
        if (listen.indexOf(':') >= 0) {
            return false;
        }
        for (int i = 0; i < listen.length(); i++) {
            if (!Character.isDigit(listen.charAt(i))) {
                return true;
            }
        }
        return false; // a bare port, or empty
    }

    private void checkProcessManager(String tag, SectionValues v) throws LoadFailure {
        Pm pm = v.get(PM);
        if (pm == null) {
            throw alert(tag + "the process manager is missing (static, dynamic or ondemand)");
        }
        int max = v.get(PM_MAX_CHILDREN);
        if (max < 1) {
            throw alert(tag + "pm.max_children must be a positive value");
        }
        if (pm == Pm.DYNAMIC) {
            checkDynamic(tag, v, max);
        } else if (pm == Pm.ONDEMAND) {
            if (!"epoll".equalsIgnoreCase(eventsMechanism)) {
                throw alert(tag + "ondemand process manager can ONLY be used when events.mechanism is either "
                        + "epoll (Linux) or kqueue (*BSD).");
            }
            int idle = v.get(PM_PROCESS_IDLE_TIMEOUT);
            if (idle < 1) {
                throw alert(tag + "pm.process_idle_timeout(" + idle + "s) must be greater than 0s");
            }
            int backlog = v.get(LISTEN_BACKLOG);
            if (backlog < -1) {
                messages.add(ConfigMessage.warning(tag + "listen.backlog(" + backlog
                        + ") was too low for the ondemand process manager. I updated it for you to -1."));
                v.set(LISTEN_BACKLOG, -1);
            }
        }
    }

    private void checkDynamic(String tag, SectionValues v, int max) throws LoadFailure {
        int minSpare = v.get(PM_MIN_SPARE_SERVERS);
        int maxSpare = v.get(PM_MAX_SPARE_SERVERS);
        if (minSpare <= 0) {
            throw alert(tag + "pm.min_spare_servers(" + minSpare + ") must be a positive value");
        }
        if (maxSpare <= 0) {
            throw alert(tag + "pm.max_spare_servers(" + maxSpare + ") must be a positive value");
        }
        if (minSpare > max || maxSpare > max) {
            throw alert(tag + "pm.min_spare_servers(" + minSpare + ") and pm.max_spare_servers(" + maxSpare
                    + ") cannot be greater than pm.max_children(" + max + ")");
        }
        if (maxSpare < minSpare) {
            throw alert(tag + "pm.max_spare_servers(" + maxSpare + ") must not be less than pm.min_spare_servers("
                    + minSpare + ")");
        }
        int start = v.get(PM_START_SERVERS);
        if (start <= 0) {
            start = minSpare + (maxSpare - minSpare) / 2;
            v.set(PM_START_SERVERS, start);
            messages.add(ConfigMessage.notice(tag + "pm.start_servers is not set. It's been set to " + start + "."));
        } else if (start < minSpare || start > maxSpare) {
            throw alert(tag + "pm.start_servers(" + start + ") must not be less than pm.min_spare_servers(" + minSpare
                    + ") and not greater than pm.max_spare_servers(" + maxSpare + ")");
        }
        if (v.get(PM_MAX_SPAWN_RATE) < 1) {
            throw alert(tag + "pm.max_spawn_rate must be a positive value");
        }
    }

    private void checkStatusAndPing(String name, SectionValues v) throws LoadFailure {
        String status = v.get(PM_STATUS_PATH);
        if (status != null) {
            String problem = StatusPathCheck.check(name, "status", status, v.get(PM_STATUS_LISTEN) != null);
            if (problem != null) {
                throw error(problem);
            }
        }
        String ping = v.get(PING_PATH);
        if (ping != null) {
            String problem = StatusPathCheck.check(name, "ping", ping, false);
            if (problem != null) {
                throw error(problem);
            }
            String response = v.get(PING_RESPONSE);
            if (response == null) {
                v.set(PING_RESPONSE, PING_RESPONSE.effective()); // -tt shows "pong" once ping.path is set
            } else if (response.isEmpty()) {
                throw error(PoolLog.prefixed(name, "the ping response page '' is not long enough"));
            }
        }
    }

    private void checkLogsAndTimeouts(String tag, SectionValues v) throws LoadFailure {
        String prefix = v.get(PREFIX);
        if (v.get(ACCESS_LOG) != null) {
            v.set(ACCESS_LOG, paths.poolPath(v.get(ACCESS_LOG), prefix));
        }
        if (v.get(SLOWLOG) != null) {
            v.set(SLOWLOG, paths.poolPath(v.get(SLOWLOG), prefix));
        }
        int slow = v.get(REQUEST_SLOWLOG_TIMEOUT);
        if (slow > 0) {
            String slowlog = v.get(SLOWLOG);
            if (slowlog == null || slowlog.isEmpty()) {
                throw error(tag + "'slowlog' must be specified for use with 'request_slowlog_timeout'");
            }
            String failure = LogFileProbe.openForAppend(slowlog);
            if (failure != null) {
                throw error("Unable to create or open slowlog(" + slowlog + "): " + failure);
            }
            int terminate = v.get(REQUEST_TERMINATE_TIMEOUT);
            if (terminate > 0 && slow > terminate) {
                throw error(tag + "'request_slowlog_timeout' (" + slow + ") can't be greater than "
                        + "'request_terminate_timeout' (" + terminate + ")");
            }
        }
    }

    private void checkChrootAndChdir(String tag, SectionValues v) throws LoadFailure {
        String chroot = v.get(CHROOT);
        if (chroot != null && !chroot.isEmpty()) {
            if (chroot.startsWith("$prefix")) {
                String prefix = v.get(PREFIX) != null ? v.get(PREFIX) : paths.installPath(".");
                chroot = prefix + chroot.substring("$prefix".length());
                v.set(CHROOT, chroot);
            }
            chroot = paths.poolPath(chroot, v.get(PREFIX));
            v.set(CHROOT, chroot);
            if (!chroot.startsWith("/")) {
                throw error(tag + "the chroot path '" + chroot + "' must start with a '/'");
            }
            if (!Files.isDirectory(Path.of(chroot))) {
                throw error(tag + "the chroot path '" + chroot + "' does not exist or is not a directory");
            }
        }
        String chdir = v.get(CHDIR);
        if (chdir != null && !chdir.isEmpty()) {
            if (v.get(PREFIX) != null && !chdir.startsWith("/")) {
                chdir = paths.poolPath(chdir, v.get(PREFIX));
                v.set(CHDIR, chdir);
            }
            if (!chdir.startsWith("/")) {
                throw error(tag + "the chdir path '" + chdir + "' must start with a '/'");
            }
            if (chroot != null && !chroot.isEmpty()) {
                String inside = chroot + "/" + chdir;
                if (!Files.isDirectory(Path.of(inside))) {
                    throw error(tag + "the chdir path '" + chdir + "' within the chroot path '" + chroot + "' ('"
                            + inside + "') does not exist or is not a directory");
                }
            } else if (!Files.isDirectory(Path.of(chdir))) {
                throw error(tag + "the chdir path '" + chdir + "' does not exist or is not a directory");
            }
        }
    }

    /** Path-valued ini settings are resolved like pool paths, unless the pool is chrooted (fpm_php.c). */
    private void resolvePhpValuePaths(SectionValues v) {
        if (v.get(CHROOT) != null && !v.get(CHROOT).isEmpty()) {
            return;
        }
        for (Directive<List<ArrayEntry>> array : List.of(PHP_VALUE, PHP_ADMIN_VALUE)) {
            List<ArrayEntry> resolved = new ArrayList<>();
            for (ArrayEntry e : v.get(array)) {
                resolved.add(resolvePhpValue(e, v.get(PREFIX)));
            }
            v.set(array, Collections.unmodifiableList(resolved));
        }
    }

    private ArrayEntry resolvePhpValue(ArrayEntry entry, String prefix) {
        if (!PathResolution.PATH_INI_KEYS.contains(entry.key())
                || entry.key().equals("error_log") && entry.value().equalsIgnoreCase("syslog")) {
            return entry;
        }
        return new ArrayEntry(entry.key(), paths.poolPath(entry.value(), prefix));
    }

    private static LoadFailure alert(String text) {
        return new LoadFailure(ConfigMessage.alert(text));
    }

    private static LoadFailure error(String text) {
        return new LoadFailure(ConfigMessage.error(text));
    }
}
