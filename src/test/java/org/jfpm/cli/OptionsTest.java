package org.jfpm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * php-fpm's command line as php_getopt (main/getopt.c) and fpm_main.c's switch read it. Each
 * row's expectation was checked against php-fpm 8.2 itself (its exit code, and with -t the
 * file it tested or the value it was given).
 */
class OptionsTest {

    /** The parse as one line: the action, then each option that was set (none for the usage). */
    private static String describe(Options o) {
        List<String> parts = new ArrayList<>();
        parts.add(o.action().name());
        if (o.action() == Options.Action.HELP || o.action() == Options.Action.USAGE_ERROR) {
            return parts.getFirst();
        }
        if (o.phpIni() != null) {
            parts.add("c=" + o.phpIni());
        }
        if (o.noPhpIni()) {
            parts.add("n");
        }
        o.defines().forEach(d -> parts.add("d=" + d));
        if (o.prefix() != null) {
            parts.add("p=" + o.prefix());
        }
        if (o.pid() != null) {
            parts.add("g=" + o.pid());
        }
        if (o.fpmConfig() != null) {
            parts.add("y=" + o.fpmConfig());
        }
        if (o.test() > 0) {
            parts.add("t=" + o.test());
        }
        if (o.forceStderr()) {
            parts.add("O");
        }
        if (o.allowRoot()) {
            parts.add("R");
        }
        if (o.daemonize() != null) {
            parts.add(o.daemonize() ? "D" : "F");
        }
        return String.join(" ", parts);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', emptyValue = "", value = {
            // the command line                                 | what it asks for
            "''                                                  | RUN",
            "-F -y a.conf                                        | RUN y=a.conf F",
            "-t -R -y a.conf                                     | RUN y=a.conf t=1 R",
            // short options cluster; a value is glued on, after '=', or the next word
            "-tR -y a.conf                                       | RUN y=a.conf t=1 R",
            "-tRy a.conf                                         | RUN y=a.conf t=1 R",
            "-tRya.conf                                          | RUN y=a.conf t=1 R",
            "-y=a.conf                                           | RUN y=a.conf",
            "-y==a.conf                                          | RUN y==a.conf",
            "-tt                                                 | RUN t=2",
            "-t -t                                               | RUN t=2",
            "--test --test                                       | RUN t=2",
            // a value is taken even when it looks like an option
            "-y -t                                               | RUN y=-t",
            "--fpm-config=-t                                     | RUN y=-t",
            // long options: exact names, value after '=' or as the next word
            "--fpm-config a.conf                                 | RUN y=a.conf",
            "--fpm-config=a.conf                                 | RUN y=a.conf",
            "--fpm-config==a.conf                                | RUN y=a.conf",
            "--fpm-conf=a.conf                                   | USAGE_ERROR",
            "--y a.conf                                          | USAGE_ERROR",
            "--TEST                                              | USAGE_ERROR",
            "--test=x                                            | RUN t=1",
            // php_getopt looks for '=' before the last character only
            "--test=                                             | USAGE_ERROR",
            "--fpm-config= a.conf                                | USAGE_ERROR",
            "--php-ini /etc --no-php-ini --define a=1 --prefix /p --pid /x.pid | RUN c=/etc n d=a=1 p=/p g=/x.pid",
            "--force-stderr --allow-to-run-as-root --daemonize --profile-info | RUN O R D",
            "-c /etc -c /usr -n -d a=1 -db=2 -d c                | RUN c=/usr n d=a=1 d=b=2 d=c",
            "-e -O -p /p -g /x.pid                               | RUN p=/p g=/x.pid O",
            // -D and -F: the last one wins
            "-D -F                                               | RUN F",
            "-F -D                                               | RUN D",
            "-FD                                                 | RUN D",
            // missing values, unknown options, a lone colon
            "-y                                                  | USAGE_ERROR",
            "-d                                                  | USAGE_ERROR",
            "-t --fpm-config                                     | USAGE_ERROR",
            "-n -c                                               | USAGE_ERROR",
            "--bogus                                             | USAGE_ERROR",
            "-Z                                                  | USAGE_ERROR",
            "-tZ                                                 | USAGE_ERROR",
            "-:                                                  | USAGE_ERROR",
            "-t:                                                 | USAGE_ERROR",
            "-t-                                                 | USAGE_ERROR",
            "-x                                                  | USAGE_ERROR",
            "-q                                                  | USAGE_ERROR",
            // the options end at a word, at '-', after '--'; a word left over is an error
            "-t extra                                            | USAGE_ERROR",
            "-t -- extra                                         | USAGE_ERROR",
            "-- -t                                               | USAGE_ERROR",
            "-t -                                                | USAGE_ERROR",
            "-t --                                               | RUN t=1",
            "--                                                  | RUN",
            // help, usage and the first action reached wins
            "-h                                                  | HELP",
            "-?                                                  | HELP",
            "--help                                              | HELP",
            "--usage                                             | HELP",
            "-h --bogus                                          | HELP",
            "--bogus -h                                          | USAGE_ERROR",
            "-hZ                                                 | HELP",
            "-Zh                                                 | USAGE_ERROR",
            "-v                                                  | VERSION",
            "--version                                           | VERSION",
            "-v -Z                                               | VERSION",
            "-Z -v                                               | USAGE_ERROR",
            "-v -h                                               | VERSION",
            "-n -v -c /etc                                       | VERSION n",
            "-m                                                  | MODULES",
            "--modules                                           | MODULES",
            "-mZ                                                 | MODULES",
            "-m -v                                               | MODULES",
            // -i acts once the whole line is read, before the leftover words are checked
            "-i                                                  | INFO",
            "--info                                              | INFO",
            "-i -n -d a=1                                        | INFO n d=a=1",
            "-i -h                                               | HELP",
            "-i -v                                               | VERSION",
            "-i --bogus                                          | USAGE_ERROR",
            "-i extra                                            | INFO",
    })
    void readsTheCommandLineAsPhpFpmDoes(String line, String expected) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThat(describe(Options.parse(args))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "-t,-R,-y,a.conf,     | USAGE_ERROR", // an empty word ends the options and is left over
            "-y,a b.conf          | RUN y=a b.conf",
            "-d,a=x y             | RUN d=a=x y",
    })
    void wordsAreTakenWhole(String words, String expected) {
        assertThat(describe(Options.parse(words.split(",", -1)))).isEqualTo(expected);
    }
}
