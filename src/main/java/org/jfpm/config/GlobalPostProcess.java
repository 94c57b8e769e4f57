package org.jfpm.config;

import static org.jfpm.config.GlobalDirectives.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** php-fpm's post-processing of [global] (fpm_conf_post_process), in its order and with its texts. */
final class GlobalPostProcess {
    /** The mechanisms php-fpm 8.2 offers on Linux. */
    private static final Set<String> LINUX_EVENT_MECHANISMS = Set.of("epoll", "poll", "select");

    private GlobalPostProcess() {
    }

    static void process(SectionValues v, ConfigOptions options, PathResolution paths) throws LoadFailure {
        if (options.prefix() != null && !Files.isDirectory(options.prefix())) {
            throw error("the global prefix '" + options.prefix() + "' does not exist or is not a directory");
        }
        if (v.get(PID) == null && options.pidFile() != null) {
            v.set(PID, options.pidFile().toString()); // -g only fills in what pid = did not say (observed)
        }
        if (v.get(PID) != null) {
            v.set(PID, paths.globalStatePath(v.get(PID)));
        }
        if (v.get(LOG_LIMIT) < 512) {
            throw error("log_limit must be greater than 512");
        }
        if (v.get(PROCESS_MAX) < 0) {
            throw error("process_max can't be negative");
        }
        Integer priority = v.get(PROCESS_PRIORITY);
        if (priority != null && (priority < -19 || priority > 20)) {
            throw error("process.priority must be included into [-19,20]");
        }
        String errorLog = v.get(ERROR_LOG) == null ? "log/php-fpm.log" : v.get(ERROR_LOG);
        if (!errorLog.equalsIgnoreCase("syslog")) {
            errorLog = paths.globalStatePath(errorLog);
            String failure = LogFileProbe.openForAppend(errorLog);
            if (failure != null) {
                throw error("failed to open error_log (" + errorLog + "): " + failure);
            }
        }
        v.set(ERROR_LOG, errorLog);
        String mechanism = v.get(EVENTS_MECHANISM);
        if (!LINUX_EVENT_MECHANISMS.contains(mechanism.toLowerCase(java.util.Locale.ROOT))) {
            throw error("event mechanism '" + mechanism + "' is not available on this system");
        }
    }

    static Path pidPath(SectionValues v) {
        return v.get(PID) == null ? null : Path.of(v.get(PID));
    }

    private static LoadFailure error(String text) {
        return new LoadFailure(ConfigMessage.error(text));
    }
}
