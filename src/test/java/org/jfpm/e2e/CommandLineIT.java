package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.ScratchDir;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** php-fpm's command line: -t, -v, -h and the exit codes of sysexits.h (0, 64, 78). */
class CommandLineIT {

    static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    ScratchDir dir;

    @BeforeEach
    void scratch() {
        assumeTrue(Backends.hasMaster(), "needs jfpm or php-fpm, not bare php-cgi");
        dir = ScratchDir.create("cli-e2e-");
    }

    @AfterEach
    void clean() {
        if (dir != null) {
            dir.close();
        }
    }

    private Path conf(String poolLines) {
        return dir.write("php-fpm.conf", """
                [global]
                pid = %1$s/fpm.pid
                error_log = %1$s/fpm.log

                [www]
                listen = %1$s/www.sock
                pm = static
                pm.max_children = 2
                %2$s
                """.formatted(dir.path(), poolLines));
    }

    @Test
    void testOfAGoodConfigurationSucceeds() {
        Path conf = conf("php_value[memory_limit] = 64M\nenv[GREETING] = hello");

        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "-t", "-R", "-y", conf.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr()).as(run.toString())
                .containsPattern("NOTICE: configuration file " + java.util.regex.Pattern.quote(conf.toString())
                        + " test is successful");
        assertThat(dir.resolve("www.sock")).as("-t must not bind").doesNotExist();
        assertThat(dir.resolve("fpm.pid")).as("-t must not write the pid file").doesNotExist();
    }

    /** Line 9 of the file written by {@link #conf}: the first pool line after pm.max_children. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "foo = bar                | unknown entry 'foo'",
            "pm.max_requests = many   | unable to parse value for entry 'pm.max_requests'",
    })
    void testOfABadConfigurationFailsWithFileAndLine(String badLine, String message) {
        Path conf = conf(badLine);

        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "-t", "-R", "-y", conf.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(78);
        assertThat(run.stderr()).as(run.toString())
                .contains("ERROR: [" + conf + ":9] " + message)
                .doesNotContain("test is successful");
    }

    @Test
    void missingConfigurationFileFails() {
        Path missing = dir.resolve("nope.conf");

        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "-t", "-R", "-y", missing.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(78);
        assertThat(run.stderr()).as(run.toString())
                .contains("ERROR: failed to open configuration file '" + missing + "'");
    }

    @Test
    void versionPrintsAndExitsZero() {
        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "-v");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().lines().findFirst()).as(run.toString())
                .hasValueSatisfying(first -> assertThat(first).containsPattern("\\d+\\.\\d+"));
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "-h");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).as(run.toString())
                .contains("Usage:", "-y, --fpm-config <file>", "-t, --test", "-F, --nodaemonize",
                        "-R, --allow-to-run-as-root");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"--no-such-option", "-Z", "-y"})
    void badCommandLineExits64(String arg) {
        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, arg);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(64);
        assertThat(run.stdout() + run.stderr()).as(run.toString()).contains("Usage:");
    }
}
