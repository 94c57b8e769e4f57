package org.jfpm.config;

/**
 * The value types of jfpm's own pool directives ({@code jfpm.*}). They are stricter than
 * php-fpm's atoi-based ones: a value is digits and an optional unit, nothing else, so that a
 * typo is refused by {@code -t} instead of read as 0.
 */
final class JfpmValueTypes {
    private JfpmValueTypes() {
    }

    /** A count: digits only, 0 or more. */
    static final ScalarType<Integer> COUNT = new ScalarType<>() {
        @Override
        Integer parse(String value, String poolName) throws InvalidValueException {
            if (!allDigits(value, value.length()) || value.length() > 9) {
                throw new InvalidValueException("is not a valid number (greater or equal than zero)");
            }
            return Integer.parseInt(value);
        }
    };

    /** A duration in milliseconds: digits with {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} (no unit: seconds). */
    static final ScalarType<Long> MILLIS = new ScalarType<>() {
        @Override
        Long parse(String value, String poolName) throws InvalidValueException {
            String v = value.strip();
            long unit;
            int digits;
            if (v.endsWith("ms")) {
                unit = 1;
                digits = v.length() - 2;
            } else if (!v.isEmpty() && "smhd".indexOf(v.charAt(v.length() - 1)) >= 0) {
                unit = switch (v.charAt(v.length() - 1)) {
                    case 's' -> 1000L;
                    case 'm' -> 60_000L;
                    case 'h' -> 3_600_000L;
                    default -> 86_400_000L;
                };
                digits = v.length() - 1;
            } else {
                unit = 1000;
                digits = v.length();
            }
            if (!allDigits(v, digits) || digits > 9) {
                throw new InvalidValueException("invalid time value (digits and one of ms, s, m, h, d)");
            }
            return Long.parseLong(v.substring(0, digits)) * unit;
        }

        @Override
        String render(Long value) {
            return value == null ? "undefined" : value % 1000 == 0 ? value / 1000 + "s" : value + "ms";
        }
    };

    /** A size in bytes: digits with an optional {@code K}, {@code M} or {@code G} (any case), as php.ini's sizes. */
    static final ScalarType<Long> BYTES = new ScalarType<>() {
        @Override
        Long parse(String value, String poolName) throws InvalidValueException {
            String v = value.strip();
            int digits = v.length();
            long unit = 1;
            if (!v.isEmpty()) {
                int shift = "KMG".indexOf(Character.toUpperCase(v.charAt(v.length() - 1)));
                if (shift >= 0) {
                    unit = 1L << (10 * (shift + 1));
                    digits--;
                }
            }
            if (!allDigits(v, digits) || digits > 12) {
                throw new InvalidValueException("invalid size (digits and an optional K, M or G)");
            }
            return Long.parseLong(v.substring(0, digits)) * unit;
        }

        @Override
        String render(Long value) {
            if (value == null) {
                return "undefined";
            }
            for (String suffix : new String[] {"G", "M", "K"}) {
                long unit = 1L << (10 * ("KMG".indexOf(suffix) + 1));
                if (value != 0 && value % unit == 0) {
                    return value / unit + suffix;
                }
            }
            return value.toString();
        }
    };

    private static boolean allDigits(String s, int length) {
        if (length <= 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
