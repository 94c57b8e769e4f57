package org.jfpm.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The php-cgi binary the workers run, and the php.ini it reads. jfpm stands in
 * for php-fpm, so by default workers read php-fpm's php.ini and conf.d of the
 * same PHP version ({@code /etc/php/8.2/fpm/}), not php-cgi's, and an extension
 * enabled for fpm with {@code phpenmod -s fpm} is loaded.
 *
 * @param binary     absolute path of php-cgi
 * @param version    {@code 8.2}, from the binary's name, or empty when unknown
 */
public record PhpCgi(Path binary, String version) {

    private static final Pattern VERSIONED = Pattern.compile("php-cgi(\\d+\\.\\d+)$");

    /** {@code $JFPM_PHP_CGI}, else {@code php-cgi} on the PATH (Debian's alternative), else php-cgi8.2. */
    public static Optional<PhpCgi> locate() {
        String override = System.getenv("JFPM_PHP_CGI");
        if (override != null && !override.isEmpty()) {
            return Optional.of(of(Path.of(override)));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String name : new String[] {"php-cgi", "php-cgi8.2"}) {
            for (String dir : path.split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(of(candidate));
                }
            }
        }
        return Optional.empty();
    }

    static PhpCgi of(Path binary) {
        Path real = binary.toAbsolutePath();
        try {
            real = binary.toRealPath();
        } catch (IOException ignored) {
            // keep the path as given; it fails visibly when the worker starts
        }
        Matcher m = VERSIONED.matcher(real.getFileName().toString());
        return new PhpCgi(binary.toAbsolutePath(), m.find() ? m.group(1) : "");
    }

    /**
     * php-cgi run for one of its own flags ({@code -v}, {@code -i}, {@code -m}) with the php.ini
     * the workers read (-c, -n, PHPRC, PHP_INI_SCAN_DIR, as {@link PhpIniLookup} resolves them)
     * and the command line's -d, so that it answers for the PHP a site gets.
     */
    public ProcessBuilder infoCommand(String flag, Path phpIni, boolean noPhpIni, List<String> defines) {
        Map<String, String> env = System.getenv();
        PhpIniLookup.Resolved ini = PhpIniLookup.resolve(phpIni, noPhpIni, env, fpmConfigDir());
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(ini.args());
        for (String d : defines) {
            cmd.add("-d");
            cmd.add(d);
        }
        cmd.add(flag);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (ini.scanDir() != null) {
            pb.environment().put("PHP_INI_SCAN_DIR", ini.scanDir());
        }
        return pb;
    }

    /** php-fpm's configuration directory of this PHP version ({@code /etc/php/8.2/fpm}), if present. */
    public Optional<Path> fpmConfigDir() {
        if (version.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Path.of("/etc/php", version, "fpm");
        return Files.isRegularFile(dir.resolve("php.ini")) ? Optional.of(dir) : Optional.empty();
    }
}
