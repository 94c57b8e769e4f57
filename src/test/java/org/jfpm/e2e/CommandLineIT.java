package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** php-fpm's -v lines exactly, with and without php.ini (-n: no extension, so no OPcache line). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"-v", "-n -v"})
    void versionIsPhpFpmsLinesExactly(String flags) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/php-fpm8.2")), "needs php-fpm8.2 to compare with");
        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, flags.split(" "));
        List<String> command = new java.util.ArrayList<>(List.of("/usr/sbin/php-fpm8.2"));
        command.addAll(List.of(flags.split(" ")));
        Process fpm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String expected = new String(fpm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        fpm.waitFor();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().strip()).isEqualTo(expected.strip());
    }

    @Test
    void jfpmsOwnVersionIsACommandPhpFpmDoesNotHave() {
        assumeFalse(Jfpm.isReference(), "jfpm's own");
        Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "version");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout()).startsWith("jfpm ").contains("(Java ", "php-cgi ");
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
        // php-fpm prints its usage on stdout and nothing else
        assertThat(run.stdout()).as(run.toString()).startsWith("Usage: ").contains("-R, --allow-to-run-as-root");
        assertThat(run.stderr()).as(run.toString()).isEmpty();
    }
}
