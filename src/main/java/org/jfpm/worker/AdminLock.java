package org.jfpm.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.SequencedMap;

/**
 * The lock on a pool's php_admin_value and php_admin_flag entries: php-fpm lowers each
 * entry's "modifiable" level to PHP_INI_SYSTEM (sapi/fpm/fpm/fpm_php.c,
 * {@code fpm_php_zend_ini_alter_master}), so {@code ini_set()} fails on it. php-cgi has no
 * such step, so jfpm gives it one: the resource {@code admin-lock.php}, run once per php-cgi
 * process at start-up as {@code opcache.preload}, makes the same change through FFI (which
 * php.ini's default {@code ffi.enable = preload} allows there and refuses to the site's
 * scripts), then runs the pool's own {@code opcache.preload}. Nothing runs per request.
 *
 * @param file         the installed copy, beside the prelude
 * @param userPreload  the pool's own opcache.preload, empty when none
 */
public record AdminLock(Path file, String userPreload) {
    private static final String RESOURCE = "admin-lock.php";

    /** Where a pool's lock file goes. */
    static Path fileIn(Path runtimeDir) {
        return runtimeDir.resolve(RESOURCE);
    }

    /**
     * Why the lock cannot hold for a pool's workers, or null when it can: what php-cgi
     * reported of itself ({@code php-cgi -i}) and whether the workers run as root (PHP then
     * preloads in a forked process, whose changes the workers never see).
     */
    static String problem(Prelude.Settings php, boolean workersAreRoot) {
        if (!php.opcacheUp()) {
            return "php-cgi runs without opcache, which runs opcache.preload";
        }
        if (!php.ffi()) {
            return "php-cgi has no FFI extension";
        }
        if (php.ffiEnable().isEmpty() || php.ffiEnable().equals("0") || php.ffiEnable().equalsIgnoreCase("Off")
                || php.ffiEnable().equalsIgnoreCase("false")) {
            return "ffi.enable is off";
        }
        if (!php.phpVersion().startsWith("8.2.") || php.threadSafe() || !php.system().contains("x86_64")) {
            return "the lock knows PHP 8.2's ini registry on x86_64 without thread safety, not PHP "
                    + php.phpVersion() + (php.threadSafe() ? " (ZTS)" : "");
        }
        if (workersAreRoot) {
            // ZendAccelerator.c accel_finish_startup: under uid 0 the preload runs in a forked child
            return "the workers run as root, and PHP runs opcache.preload as root in a child process of its own";
        }
        return null;
    }

    /** The php-cgi -d settings that run the lock over {@code names}, in order. */
    SequencedMap<String, String> defines(Iterable<String> names) {
        SequencedMap<String, String> d = new LinkedHashMap<>();
        d.put("opcache.preload", file.toString());
        d.put("jfpm.admin_names", String.join(",", names));
        if (!userPreload.isEmpty()) {
            d.put("jfpm.user_preload", userPreload);
        }
        return d;
    }

    /** Writes the lock file, readable by the pool's user, written by the master only. */
    static void write(Path file) throws IOException {
        Prelude.writeResource(RESOURCE, file);
    }
}
