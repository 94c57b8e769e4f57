package org.jfpm.config;

import java.util.List;
import java.util.Set;
import org.jfpm.log.Level;

/**
 * The scalar value types of php-fpm's directive table, with php-fpm's reason texts for
 * {@code unable to parse value for entry '%s': <reason>}.
 */
abstract non-sealed class ScalarType<T> extends ValueType<T> {

    /** Parses the lexed value; {@code poolName} is null in {@code [global]}. */
    abstract T parse(String value, String poolName) throws InvalidValueException;

    @Override
    String render(T value) {
        return value == null ? "undefined" : value.toString();
    }

    /** Strings: any text; every {@code $pool} becomes the pool name (fpm_conf_set_string). */
    static final ScalarType<String> STRING = new ScalarType<>() {
        @Override
        String parse(String value, String poolName) throws InvalidValueException {
            return PoolNameExpansion.expand(value, poolName);
        }
    };

    /** Integers: optional leading '-', then digits only; empty is 0; converted like atoi(3). */
    static final ScalarType<Integer> INTEGER = new ScalarType<>() {
        @Override
        Integer parse(String value, String poolName) throws InvalidValueException {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (!(i == 0 && c == '-') && (c < '0' || c > '9')) {
                    throw new InvalidValueException("is not a valid number (greater or equal than zero)");
                }
            }
            return CNumbers.atoi(value);
        }
    };

    /** Times in seconds: a number with an optional s/m/h/d suffix (lower case only). */
    static final ScalarType<Integer> TIME = new TimeType(true);

    /** A time that {@code -tt} prints without its "s" (php-fpm does so for pm.process_idle_timeout). */
    static final ScalarType<Integer> TIME_DUMPED_BARE = new TimeType(false);

    /** Booleans as php-fpm's parser sees them after INI lexing turned yes/on/true into "1". */
    static final ScalarType<Boolean> BOOLEAN = new ScalarType<>() {
        private static final Set<String> TRUE = Set.of("1", "yes", "true", "on");
        private static final Set<String> FALSE = Set.of("", "0", "no", "none", "false", "off");

        @Override
        Boolean parse(String value, String poolName) throws InvalidValueException {
            if (TRUE.contains(value)) {
                return true;
            }
            if (FALSE.contains(value)) {
                return false;
            }
            throw new InvalidValueException("invalid boolean value");
        }

        @Override
        String render(Boolean value) {
            return value == null ? "undefined" : value ? "yes" : "no";
        }
    };

    /** {@code log_level}: alert error warning warn notice debug, any case. */
    static final ScalarType<Level> LOG_LEVEL = new ScalarType<>() {
        @Override
        Level parse(String value, String poolName) throws InvalidValueException {
            return Level.parse(value).orElseThrow(() -> new InvalidValueException("invalid value for 'log_level'"));
        }

        @Override
        String render(Level value) {
            // php-fpm keeps the level at 0 until log_level is set and prints that as "unknown value"
            return value == null ? "unknown value" : value.name();
        }
    };

    /** {@code rlimit_core}: "unlimited" (any case, stored as -1) or an integer >= 0. */
    static final ScalarType<Long> RLIMIT_CORE = new ScalarType<>() {
        @Override
        Long parse(String value, String poolName) throws InvalidValueException {
            if (value.equalsIgnoreCase("unlimited")) {
                return -1L;
            }
            int parsed;
            try {
                parsed = INTEGER.parse(value, poolName);
            } catch (InvalidValueException e) {
                throw new InvalidValueException("must be greater than zero or 'unlimited'");
            }
            if (parsed < 0) {
                throw new InvalidValueException("must be greater than zero or 'unlimited'");
            }
            return (long) parsed;
        }
    };

    /** {@code pm}: static, dynamic or ondemand, any case. */
    /** jfpm.shared_opcache: auto, yes or no, any case. */
    static final ScalarType<SharedOpcache> SHARED_OPCACHE = new ScalarType<>() {
        @Override
        SharedOpcache parse(String value, String poolName) throws InvalidValueException {
            return SharedOpcache.parse(value).orElseThrow(
                    () -> new InvalidValueException("invalid value (auto, yes or no)"));
        }

        @Override
        String render(SharedOpcache value) {
            return value.label();
        }
    };

    static final ScalarType<Pm> PROCESS_MANAGER = new ScalarType<>() {
        @Override
        Pm parse(String value, String poolName) throws InvalidValueException {
            return Pm.parse(value).orElseThrow(
                    () -> new InvalidValueException("invalid process manager (static, dynamic or ondemand)"));
        }

        @Override
        String render(Pm value) {
            return value == null ? "undefined" : value.label();
        }
    };

    /** {@code syslog.facility}: stored by name, printed by {@code -tt} as syslog's numeric code. */
    static final ScalarType<SyslogFacility> SYSLOG_FACILITY = new ScalarType<>() {
        @Override
        SyslogFacility parse(String value, String poolName) throws InvalidValueException {
            return SyslogFacility.parse(value).orElseThrow(() -> new InvalidValueException("invalid value"));
        }

        @Override
        String render(SyslogFacility value) {
            return value == null ? "undefined" : Integer.toString(value.code());
        }
    };

    /** A space/tab separated list ({@code security.limit_extensions}), printed as written. */
    static final ScalarType<String> WORD_LIST = STRING;

    static List<String> words(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.trim().split("[ \t]+"));
    }

    private static final class TimeType extends ScalarType<Integer> {
        private final boolean dumpWithUnit;

        TimeType(boolean dumpWithUnit) {
            this.dumpWithUnit = dumpWithUnit;
        }

        @Override
        Integer parse(String value, String poolName) throws InvalidValueException {
            if (value.isEmpty()) {
                throw new InvalidValueException("invalid time value");
            }
            char suffix = value.charAt(value.length() - 1);
            int number = CNumbers.atoi(value); // php-fpm uses atoi: "1.5m" is 60 seconds
            return switch (suffix) {
                case 's' -> number;
                case 'm' -> number * 60;
                case 'h' -> number * 3600;
                case 'd' -> number * 86400;
                default -> {
                    if (suffix < '0' || suffix > '9') {
                        throw new InvalidValueException("unknown suffix used in time value");
                    }
                    yield number;
                }
            };
        }

        @Override
        String render(Integer value) {
            return value == null ? "undefined" : dumpWithUnit ? value + "s" : value.toString();
        }
    }
}
