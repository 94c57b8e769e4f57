package org.jfpm.config;

import java.util.Map;

/**
 * The PHP constants the INI parser substitutes for bare words. jfpm knows the error-reporting
 * constants (the ones seen in pool files, e.g. {@code php_admin_value[error_reporting] = E_ALL});
 * any other word stays as written, as PHP does for an undefined constant.
 */
final class Constants {
    private Constants() {
    }

    private static final Map<String, String> VALUES = Map.ofEntries(
            Map.entry("E_ERROR", "1"), Map.entry("E_WARNING", "2"), Map.entry("E_PARSE", "4"),
            Map.entry("E_NOTICE", "8"), Map.entry("E_CORE_ERROR", "16"), Map.entry("E_CORE_WARNING", "32"),
            Map.entry("E_COMPILE_ERROR", "64"), Map.entry("E_COMPILE_WARNING", "128"),
            Map.entry("E_USER_ERROR", "256"), Map.entry("E_USER_WARNING", "512"), Map.entry("E_USER_NOTICE", "1024"),
            Map.entry("E_STRICT", "2048"), Map.entry("E_RECOVERABLE_ERROR", "4096"), Map.entry("E_DEPRECATED", "8192"),
            Map.entry("E_USER_DEPRECATED", "16384"), Map.entry("E_ALL", "32767"),
            Map.entry("PHP_EOL", "\n"), Map.entry("DIRECTORY_SEPARATOR", "/"), Map.entry("PATH_SEPARATOR", ":"),
            Map.entry("PHP_OS", "Linux"), Map.entry("PHP_OS_FAMILY", "Linux"),
            Map.entry("PHP_INT_MAX", Long.toString(Long.MAX_VALUE)), Map.entry("PHP_INT_SIZE", "8"));

    static String valueOf(String word) {
        return VALUES.getOrDefault(word, word);
    }
}
