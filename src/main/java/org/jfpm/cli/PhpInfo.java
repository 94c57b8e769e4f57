package org.jfpm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jfpm.worker.PhpCgi;

/**
 * {@code -v}, {@code -i} and {@code -m}: answered by the php-cgi the workers run, with
 * the php.ini they read, since that is the PHP a site gets. {@code -v} prints php-fpm's
 * lines, naming the SAPI {@code fpm-fcgi} as scripts that parse {@code php-fpm -v}
 * expect; jfpm's own version is {@code jfpm version}, a command php-fpm does not have.
 */
final class PhpInfo {
    private PhpInfo() {}

    static final String VERSION = "0.1.0";

    static int print(String flag, Path phpIni, boolean noPhpIni, List<String> defines, PrintStream out)
            throws IOException, InterruptedException {
        PhpCgi php = PhpCgi.locate().orElse(null);
        if (php == null) {
            System.err.println("jfpm: php-cgi not found: install php8.2-cgi or set JFPM_PHP_CGI");
            return 1;
        }
        Process p = php.infoCommand(flag, phpIni, noPhpIni, defines).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (flag.equals("-v")) {
            text = text.replaceFirst("\\(cgi-fcgi\\)", "(fpm-fcgi)");
        }
        out.print(text);
        out.flush();
        return rc;
    }

    /** {@code jfpm version}: jfpm's own version, the JDK and the php-cgi it would run. */
    static int printJfpmVersion(PrintStream out) {
        String php = PhpCgi.locate().map(p -> p.binary().toString()).orElse("not found");
        out.println("jfpm " + VERSION + " (Java " + Runtime.version() + ", php-cgi " + php + ")");
        out.flush();
        return 0;
    }
}
