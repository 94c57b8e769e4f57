package org.jfpm.master;

import java.util.ArrayList;
import java.util.List;

/**
 * php-fpm's line at the start of a reload (fpm_signals.c and fpm.c, {@code fpm_pctl_exec}):
 * {@code reloading: execvp("php-fpm8.2", {"php-fpm8.2", "-F", "-y", "/etc/php-fpm.conf"})},
 * the command line the master was started with, which php-fpm executes again. jfpm
 * reloads within its JVM (docs/differences.md) and writes the same line for the
 * scripts that wait for it: argv[0] as the launcher was called ({@code JFPM_ARGV0},
 * set by bin/jfpm), then the master's own arguments.
 */
final class ReloadLine {
    private ReloadLine() {}

    static String execvp() {
        String argv0 = System.getenv("JFPM_ARGV0");
        if (argv0 == null || argv0.isEmpty()) {
            argv0 = "jfpm";
        }
        List<String> argv = new ArrayList<>();
        argv.add(argv0);
        argv.addAll(masterArguments(ProcessHandle.current().info().arguments().orElse(new String[0])));
        StringBuilder line = new StringBuilder("reloading: execvp(").append(quoted(argv0)).append(", {");
        for (int i = 0; i < argv.size(); i++) {
            line.append(i == 0 ? "" : ", ").append(quoted(argv.get(i)));
        }
        return line.append("})").toString();
    }

    /** The JVM's arguments after {@code -jar <jar>}: what the launcher was given. */
    static List<String> masterArguments(String[] jvmArguments) {
        for (int i = 0; i < jvmArguments.length - 1; i++) {
            if (jvmArguments[i].equals("-jar")) {
                return List.of(jvmArguments).subList(i + 2, jvmArguments.length);
            }
        }
        return List.of();
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }
}
