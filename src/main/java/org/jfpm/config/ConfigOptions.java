package org.jfpm.config;

import java.nio.file.Path;
import java.util.List;

/**
 * What the command line hands to the configuration loader (php-fpm's -y -p -g -D/-F -R -c -n -d).
 *
 * @param configFile  -y; null selects the default: {@code /etc/php/8.2/fpm/php-fpm.conf}, or
 *                    {@code PREFIX/etc/php-fpm.conf} when -p is given (Debian's patched default)
 * @param prefix      -p, nullable; base of relative include/pid/error_log/pool paths
 *                    (fpm_evaluate_full_path in sapi/fpm/fpm/fpm_conf.c)
 * @param pidFile     -g, nullable; {@code pid =} in the file overrides it (observed)
 * @param daemonize   -D true, -F false, null = take {@code daemonize} from the file
 * @param allowRoot   -R
 * @param phpIni      -c, nullable; recorded for the workers
 * @param noPhpIni    -n
 * @param phpDefines  each -d as given ({@code k=v} or {@code k}), in order
 * @param test        -t: the configuration is only checked (php-fpm then resolves every pool's
 *                    user and group even when not root; a running master ignores them)
 */
public record ConfigOptions(Path configFile, Path prefix, Path pidFile, Boolean daemonize,
                            boolean allowRoot, Path phpIni, boolean noPhpIni, List<String> phpDefines,
                            boolean test) {

    public ConfigOptions {
        phpDefines = phpDefines == null ? List.of() : List.copyOf(phpDefines);
    }

    /** Options for a master that runs (not -t). */
    public ConfigOptions(Path configFile, Path prefix, Path pidFile, Boolean daemonize, boolean allowRoot,
            Path phpIni, boolean noPhpIni, List<String> phpDefines) {
        this(configFile, prefix, pidFile, daemonize, allowRoot, phpIni, noPhpIni, phpDefines, false);
    }

    /** Options as if only {@code -y file} had been given. */
    public static ConfigOptions ofFile(Path configFile) {
        return new ConfigOptions(configFile, null, null, null, false, null, false, List.of());
    }
}
