package org.jfpm.config;

import static org.jfpm.config.GlobalDirectives.*;

import java.nio.file.Path;
import org.jfpm.log.Level;

/** The {@code [global]} section after defaults, command-line overrides and path resolution. */
public final class GlobalConfig {
    private final SectionValues values;
    private final Boolean daemonizeOverride;

    GlobalConfig(SectionValues values, Boolean daemonizeOverride) {
        this.values = values;
        this.daemonizeOverride = daemonizeOverride;
    }

    SectionValues values() {
        return values;
    }

    /** The pid file, absolute; null when neither {@code pid} nor -g names one. */
    public Path pid() {
        String pid = values.get(PID);
        return pid == null ? null : Path.of(pid);
    }

    /** An absolute file path, or {@code syslog}. */
    public String errorLog() {
        return values.get(ERROR_LOG);
    }

    public String syslogIdent() {
        return values.get(SYSLOG_IDENT);
    }

    /** The facility name in lower case, e.g. {@code daemon}. */
    public String syslogFacility() {
        return values.get(SYSLOG_FACILITY).label();
    }

    public SyslogFacility syslogFacilityCode() {
        return values.get(SYSLOG_FACILITY);
    }

    public boolean logBuffering() {
        return values.get(LOG_BUFFERING);
    }

    public Level logLevel() {
        return values.effective(LOG_LEVEL);
    }

    public int logLimit() {
        return values.get(LOG_LIMIT);
    }

    public int emergencyRestartThreshold() {
        return values.get(EMERGENCY_RESTART_THRESHOLD);
    }

    /** Seconds. */
    public int emergencyRestartInterval() {
        return values.get(EMERGENCY_RESTART_INTERVAL);
    }

    /** Seconds. */
    public int processControlTimeout() {
        return values.get(PROCESS_CONTROL_TIMEOUT);
    }

    public int processMax() {
        return values.get(PROCESS_MAX);
    }

    /** The master's nice value, null when unset (or ignored because the master is not root). */
    public Integer processPriority() {
        return values.get(PROCESS_PRIORITY);
    }

    /** {@code daemonize} after -D / -F, which win over the file. */
    public boolean daemonize() {
        return daemonizeOverride != null ? daemonizeOverride : values.get(DAEMONIZE);
    }

    public int rlimitFiles() {
        return values.get(RLIMIT_FILES);
    }

    /** -1 = unlimited, 0 = keep the inherited limit. */
    public long rlimitCore() {
        return values.get(RLIMIT_CORE);
    }

    public String eventsMechanism() {
        return values.get(EVENTS_MECHANISM);
    }

    /** Seconds; 0 disables the periodic systemd STATUS. */
    public int systemdInterval() {
        return values.get(SYSTEMD_INTERVAL);
    }

    /** Whether systemd_interval was written in the file (php-fpm warns it is ignored under a watchdog). */
    public boolean systemdIntervalConfigured() {
        return values.isSet(SYSTEMD_INTERVAL);
    }
}
