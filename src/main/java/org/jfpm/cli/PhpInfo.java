package org.jfpm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jfpm.worker.PhpCgi;

/**
 * {@code -v}, {@code -i} and {@code -m}: answered by the php-cgi the workers run,
 * since that is the PHP a site gets. {@code -v} keeps PHP's first line, naming
 * the SAPI {@code fpm-fcgi} as scripts that parse {@code php-fpm -v} expect,
 * and adds a line for jfpm itself.
 */
final class PhpInfo {
    private PhpInfo() {}

    static final String VERSION = "0.1.0";

    static int print(String flag, PrintStream out) throws IOException, InterruptedException {
        PhpCgi php = PhpCgi.locate().orElse(null);
        if (php == null) {
            System.err.println("jfpm: php-cgi not found: install php8.2-cgi or set JFPM_PHP_CGI");
            return 1;
        }
        Process p = new ProcessBuilder(php.binary().toString(), flag).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (flag.equals("-v")) {
            text = text.replaceFirst("\\(cgi-fcgi\\)", "(fpm-fcgi)");
            int eol = text.indexOf('\n');
            text = text.substring(0, eol + 1) + "jfpm " + VERSION + " (Java " + Runtime.version().feature()
                    + ", php-cgi " + php.binary() + ")\n" + text.substring(eol + 1);
        }
        out.print(text);
        out.flush();
        return rc;
    }
}
