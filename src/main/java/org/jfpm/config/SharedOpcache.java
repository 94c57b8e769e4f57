package org.jfpm.config;

import java.util.Locale;
import java.util.Optional;

/**
 * {@code jfpm.shared_opcache}: whether a pool's workers are the children of one php-cgi
 * parent, forked after opcache's shared memory exists and sharing it as php-fpm's children
 * share their master's ({@code yes}), or each a php-cgi of its own with a private opcache
 * ({@code no}). {@code auto}, the default, shares unless the pool needs what only separate
 * processes give: each child's own stderr (decorate_workers_output with
 * catch_workers_output), each child's exit signal (emergency_restart_threshold), or a
 * cap on the number of processes (process.max).
 */
public enum SharedOpcache {
    AUTO, YES, NO;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code auto}, or a boolean as php-fpm reads one (its INI scanner may already have made yes "1", no ""). */
    static Optional<SharedOpcache> parse(String value) {
        if (value.equalsIgnoreCase("auto")) {
            return Optional.of(AUTO);
        }
        try {
            return Optional.of(ScalarType.BOOLEAN.parse(value.toLowerCase(Locale.ROOT), null) ? YES : NO);
        } catch (InvalidValueException e) {
            return Optional.empty();
        }
    }

    /**
     * Why {@code auto} keeps one process per worker for a pool, or null when it shares:
     * the one place that says which settings need separate processes.
     */
    static String whySeparate(boolean catchOutput, boolean decorateOutput, int emergencyRestartThreshold,
            int processMax) {
        if (catchOutput && decorateOutput) {
            return "decorate_workers_output names the child that wrote each line, and shared children have one stderr";
        }
        if (emergencyRestartThreshold > 0) {
            return "emergency_restart_threshold counts children killed by SIGSEGV or SIGBUS, and php-cgi's parent"
                    + " reaps shared children itself";
        }
        if (processMax > 0) {
            return "process.max caps the number of children, and php-cgi's parent keeps pm.max_children forked";
        }
        return null;
    }

    /** Whether {@code pool}'s workers share one php-cgi parent. */
    public static boolean applies(PoolConfig pool, GlobalConfig global) {
        return switch (pool.sharedOpcache()) {
            case YES -> true;
            case NO -> false;
            case AUTO -> whySeparate(pool.catchWorkersOutput(), pool.decorateWorkersOutput(),
                    global.emergencyRestartThreshold(), global.processMax()) == null;
        };
    }
}
