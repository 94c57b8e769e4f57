package org.jfpm.config;

import java.util.Locale;
import java.util.Set;

/**
 * Validates access.format as php-fpm does when it opens the access log (sapi/fpm/fpm/fpm_log.c,
 * fpm_log_write): returns the WARNING text for the first bad token, or null. php-fpm then fails with
 * {@code [pool %s] wrong format for access.format '%s'}.
 */
final class AccessFormatCheck {
    private AccessFormatCheck() {
    }

    private static final Set<String> CPU = Set.of("", "total", "user", "system");
    private static final Set<String> DURATION =
            Set.of("", "seconds", "milli", "mili", "milliseconds", "miliseconds", "micro", "microseconds");
    private static final Set<String> MEMORY = Set.of("", "bytes", "kilo", "kilobytes", "mega", "megabytes");

    static String firstProblem(String format) {
        int i = 0;
        while (i < format.length()) {
            if (format.charAt(i) != '%') {
                i++;
                continue;
            }
            i++;
            if (i >= format.length()) {
                return null;
            }
            String modifier = null;
            if (format.charAt(i) == '{') {
                int close = format.indexOf('}', i);
                if (close < 0 || close == format.length() - 1) {
                    return "missing closing embrace in the access.format";
                }
                modifier = format.substring(i + 1, close);
                if (modifier.length() > 128) {
                    modifier = modifier.substring(0, 128); // php-fpm's modifier buffer
                }
                i = close + 1;
            }
            String problem = checkToken(format.charAt(i), modifier);
            if (problem != null) {
                return problem;
            }
            i++;
        }
        return null;
    }

    private static String checkToken(char token, String modifier) {
        String mod = modifier == null ? "" : modifier.toLowerCase(Locale.ROOT);
        return switch (token) {
            case '%' -> null;
            case 'C' -> CPU.contains(mod) ? null
                    : "only 'total', 'user' or 'system' are allowed as a modifier for %C ('" + modifier + "')";
            case 'd' -> DURATION.contains(mod) ? null : "only 'seconds', 'milli', 'milliseconds', 'micro' or "
                    + "'microseconds' are allowed as a modifier for %d ('" + modifier + "')";
            case 'M' -> MEMORY.contains(mod) ? null : "only 'bytes', 'kilo', 'kilobytes', 'mega' or 'megabytes' "
                    + "are allowed as a modifier for %M ('" + modifier + "')";
            case 'e' -> modifier == null
                    ? "the name of the environment variable must be set between embraces for %e" : null;
            case 'o' -> modifier == null ? "the name of the header must be set between embraces for %o" : null;
            case 't', 'T' -> null;
            case 'f', 'l', 'm', 'n', 'p', 'P', 'q', 'Q', 'r', 'R', 's', 'u' ->
                    modifier == null ? null : "embrace is not allowed for modifier %" + token;
            default -> "Invalid token in the access.format (%" + token + ")";
        };
    }
}
