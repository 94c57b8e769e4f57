package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answers the master writes itself (ping, status, a missing script, a refused
 * extension) carry the headers PHP adds to every answer, where PHP puts them, as php-fpm's
 * do: php-fpm answers them from inside PHP.
 */
class PhpHeadersIT {
    private static final String POWERED = "X-Powered-By: PHP/\\d+\\.\\d+\\.\\d+\r\n";

    @TempDir
    Path site;

    @Test
    void exposePhpOnAddsXPoweredByFirstAfterTheStatusLine() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        Path text = site.resolve("x.txt");
        Files.writeString(text, "<?php echo 1;");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("ping.path = /ping").line("pm.status_path = /status")
                .line("php_admin_flag[expose_php] = on").start()) {
            assertThat(head(jfpm, "/ping", "/ping")).matches(
                    "(?s)" + POWERED + "Content-type: text/plain;charset=UTF-8\r\n.*");
            assertThat(head(jfpm, "/status", "/status")).matches("(?s)" + POWERED + "Expires: .*");
            assertThat(head(jfpm, "/nope.php", site.resolve("nope.php").toString())).matches(
                    "(?s)Status: 404 Not Found\r\n" + POWERED + "Content-type: text/html; charset=UTF-8\r\n.*");
            assertThat(head(jfpm, "/x.txt", text.toString())).matches(
                    "(?s)Status: 403 Forbidden\r\n" + POWERED + "Content-type: text/html; charset=UTF-8\r\n.*");
        }
    }

    @Test
    void exposePhpOffAddsNothing() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("ping.path = /ping")
                .line("php_admin_flag[expose_php] = off").start()) {
            assertThat(head(jfpm, "/ping", "/ping")).startsWith("Content-type: text/plain;charset=UTF-8\r\n")
                    .doesNotContain("X-Powered-By");
        }
    }

    /** The CGI head of the answer, up to the blank line. */
    private static String head(Jfpm jfpm, String scriptName, String scriptFilename) throws Exception {
        try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_NAME", scriptName,
                    "SCRIPT_FILENAME", scriptFilename), new byte[0]);
            String out = new String(r.stdout(), StandardCharsets.ISO_8859_1);
            return out.substring(0, out.indexOf("\r\n\r\n") + 2);
        }
    }
}
