package org.jfpm.config;

import static org.jfpm.config.Scope.GLOBAL;

import java.util.List;
import org.jfpm.log.Level;

/**
 * The {@code [global]} directives in php-fpm's documented (and {@code -tt}) order. Adding a
 * directive is one line here plus its accessor in {@link GlobalConfig}.
 */
final class GlobalDirectives {
    private GlobalDirectives() {
    }

    static final Directive<String> PID = Directive.of(GLOBAL, "pid", ScalarType.STRING, null);
    static final Directive<String> ERROR_LOG = Directive.of(GLOBAL, "error_log", ScalarType.STRING, null);
    static final Directive<String> SYSLOG_IDENT = Directive.of(GLOBAL, "syslog.ident", ScalarType.STRING, "php-fpm");
    static final Directive<SyslogFacility> SYSLOG_FACILITY =
            Directive.of(GLOBAL, "syslog.facility", ScalarType.SYSLOG_FACILITY, SyslogFacility.DAEMON);
    static final Directive<Boolean> LOG_BUFFERING = Directive.of(GLOBAL, "log_buffering", ScalarType.BOOLEAN, true);
    static final Directive<Level> LOG_LEVEL =
            Directive.withRuntimeDefault(GLOBAL, "log_level", ScalarType.LOG_LEVEL, null, Level.NOTICE);
    static final Directive<Integer> LOG_LIMIT = Directive.of(GLOBAL, "log_limit", ScalarType.INTEGER, 1024);
    static final Directive<Integer> EMERGENCY_RESTART_INTERVAL =
            Directive.of(GLOBAL, "emergency_restart_interval", ScalarType.TIME, 0);
    static final Directive<Integer> EMERGENCY_RESTART_THRESHOLD =
            Directive.of(GLOBAL, "emergency_restart_threshold", ScalarType.INTEGER, 0);
    static final Directive<Integer> PROCESS_CONTROL_TIMEOUT =
            Directive.of(GLOBAL, "process_control_timeout", ScalarType.TIME, 0);
    static final Directive<Integer> PROCESS_MAX = Directive.of(GLOBAL, "process.max", ScalarType.INTEGER, 0);
    static final Directive<Integer> PROCESS_PRIORITY =
            Directive.of(GLOBAL, "process.priority", ScalarType.INTEGER, null);
    static final Directive<Boolean> DAEMONIZE = Directive.of(GLOBAL, "daemonize", ScalarType.BOOLEAN, true);
    static final Directive<Integer> RLIMIT_FILES = Directive.of(GLOBAL, "rlimit_files", ScalarType.INTEGER, 0);
    static final Directive<Long> RLIMIT_CORE = Directive.of(GLOBAL, "rlimit_core", ScalarType.RLIMIT_CORE, 0L);
    static final Directive<String> EVENTS_MECHANISM =
            Directive.of(GLOBAL, "events.mechanism", ScalarType.STRING, "epoll");
    static final Directive<Integer> SYSTEMD_INTERVAL = Directive.of(GLOBAL, "systemd_interval", ScalarType.TIME, 10);

    /** Every global directive, in {@code -tt} order. */
    static final List<Directive<?>> ALL = List.of(PID, ERROR_LOG, SYSLOG_IDENT, SYSLOG_FACILITY, LOG_BUFFERING,
            LOG_LEVEL, LOG_LIMIT, EMERGENCY_RESTART_INTERVAL, EMERGENCY_RESTART_THRESHOLD, PROCESS_CONTROL_TIMEOUT,
            PROCESS_MAX, PROCESS_PRIORITY, DAEMONIZE, RLIMIT_FILES, RLIMIT_CORE, EVENTS_MECHANISM, SYSTEMD_INTERVAL);
}
