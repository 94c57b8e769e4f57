package org.jfpm.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which php.ini and which scan directory php-fpm would read, so that php-cgi reads
 * the same (PHP's lookup: main/php_ini.c, php_init_config; the PHP manual's "The
 * configuration file" page):
 *
 * <ul>
 * <li>{@code -n}: no php.ini and no scan directory.
 * <li>{@code -c PATH}: only there: the file itself, or in the directory
 *     {@code php-fpm-fcgi.ini} (php-fpm's {@code php-SAPI.ini}), else {@code php.ini}.
 * <li>else {@code $PHPRC} of the process that starts the master (a file, or a directory
 *     searched first), then php-fpm's compiled-in directory ({@code /etc/php/8.2/fpm}):
 *     {@code php-fpm-fcgi.ini} in any of them before {@code php.ini} in any of them.
 *     php-fpm ignores the current directory; the directory of its own binary, also on
 *     PHP's path, is left out (it is /usr/sbin).
 * <li>scan directory: {@code $PHP_INI_SCAN_DIR} when set, an empty segment standing for
 *     php-fpm's compiled-in one ({@code /etc/php/8.2/fpm/conf.d}); empty means none;
 *     unset means the compiled-in one.
 * </ul>
 *
 * php-cgi is then told the file with {@code -c FILE} and the directories with its own
 * {@code PHP_INI_SCAN_DIR}, since its compiled-in defaults are php-cgi's, not php-fpm's.
 */
final class PhpIniLookup {
    /** php-fpm's {@code php-%s.ini}: its SAPI is named fpm-fcgi. */
    static final String FPM_INI = "php-fpm-fcgi.ini";
    static final String PHP_INI = "php.ini";

    /**
     * @param args     php-cgi's arguments for it: {@code -n}, {@code -c FILE}, or none
     * @param scanDir  the value for php-cgi's PHP_INI_SCAN_DIR, or null to leave it unset
     */
    record Resolved(List<String> args, String scanDir) { }

    private PhpIniLookup() {}

    static Resolved resolve(Path dashC, boolean dashN, Map<String, String> masterEnv, Optional<Path> fpmDir) {
        if (dashN) {
            return new Resolved(List.of("-n"), null);
        }
        if (fpmDir.isEmpty()) {
            // a php-cgi of unknown version: its own defaults, as before there was a php-fpm to follow
            return new Resolved(dashC == null ? List.of() : List.of("-c", dashC.toString()), null);
        }
        Path fpm = fpmDir.get();
        return new Resolved(List.of("-c", iniFile(dashC, masterEnv.get("PHPRC"), fpm).toString()),
                scanDir(masterEnv.get("PHP_INI_SCAN_DIR"), fpm.resolve("conf.d")));
    }

    private static Path iniFile(Path dashC, String phprc, Path fpm) {
        if (dashC != null) {
            if (!Files.isDirectory(dashC)) {
                return dashC; // a file, or nothing: PHP then reads no php.ini, as php-fpm would
            }
            return first(List.of(dashC)).orElse(dashC.resolve(PHP_INI));
        }
        List<Path> path = new ArrayList<>();
        if (phprc != null && !phprc.isEmpty()) {
            Path rc = Path.of(phprc);
            if (Files.isRegularFile(rc)) {
                return rc;
            }
            path.add(rc);
        }
        path.add(fpm);
        return first(path).orElse(fpm.resolve(PHP_INI));
    }

    /** {@code php-fpm-fcgi.ini} in any directory of {@code path}, else {@code php.ini} in any. */
    private static Optional<Path> first(List<Path> path) {
        for (String name : List.of(FPM_INI, PHP_INI)) {
            for (Path dir : path) {
                Path candidate = dir.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private static String scanDir(String fromEnv, Path compiledIn) {
        if (fromEnv == null) {
            return compiledIn.toString();
        }
        if (fromEnv.isEmpty()) {
            return "";
        }
        List<String> dirs = new ArrayList<>();
        for (String segment : fromEnv.split(":", -1)) {
            dirs.add(segment.isEmpty() ? compiledIn.toString() : segment);
        }
        return String.join(":", dirs);
    }
}
