package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.jfpm.worker.PhpCgi;

/**
 * A php-cgi that listens late, as on a cold disk or a busy machine: a script that
 * sleeps before it execs the real php-cgi when started as a worker ({@code -b SOCKET});
 * {@code php-cgi -i} answers at once. jfpm runs it when given as {@code JFPM_PHP_CGI}.
 */
public final class SlowPhpCgi {
    private SlowPhpCgi() {}

    /** Writes the script into {@code dir}; returns the master's environment that makes jfpm use it. */
    public static Map<String, String> in(Path dir, Duration delay) throws IOException {
        Path real = PhpCgi.locate().orElseThrow().binary();
        Path script = dir.resolve("slow-php-cgi");
        Files.writeString(script, """
                #!/bin/sh
                case " $* " in *" -b "*) sleep %.3f ;; esac
                exec %s "$@"
                """.formatted(delay.toMillis() / 1000.0, real));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return Map.of("JFPM_PHP_CGI", script.toString());
    }
}
