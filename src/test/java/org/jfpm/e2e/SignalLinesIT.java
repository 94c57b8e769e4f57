package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.junit.jupiter.api.Test;

/**
 * The error log's lines around a reload, in php-fpm 8.2's words and order: scripts wait
 * for them. Passes against php-fpm8.2 too ({@code -De2e.backend=php-fpm}).
 */
class SignalLinesIT {

    @Test
    void aReloadLogsPhpFpmsLinesInItsOrder() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        for (String signal : List.of("USR2", "HUP")) {
            try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start()) {
                jfpm.signal(signal);
                jfpm.awaitLogs("NOTICE: ready to handle connections$", 2, Duration.ofSeconds(20));
                List<String> lines = jfpm.log().lines().stream()
                        .map(l -> l.replaceFirst("^\\[[^]]*\\] ", ""))
                        .dropWhile(l -> !l.equals("NOTICE: Reloading in progress ..."))
                        .filter(l -> !l.startsWith("NOTICE: [pool ")) // start-up notices, said again
                        .takeWhile(l -> !l.startsWith("NOTICE: systemd monitor"))
                        .toList();
                String socket = Pattern.quote(jfpm.listenSocket().toString());
                assertThat(lines).as(signal).hasSize(5);
                assertThat(lines.get(0)).isEqualTo("NOTICE: Reloading in progress ...");
                assertThat(lines.get(1)).matches("NOTICE: reloading: execvp\\(\"([^\"]+)\", \\{\"\\1\", .*\"-y\", \""
                        + Pattern.quote(jfpm.confFile().toString()) + "\".*\\}\\)");
                assertThat(lines.get(2)).matches("NOTICE: using inherited socket fd=\\d+, \"" + socket + "\"");
                assertThat(lines.get(3)).matches("NOTICE: fpm is running, pid " + jfpm.pid());
                assertThat(lines.get(4)).isEqualTo("NOTICE: ready to handle connections");
            }
        }
    }
}
