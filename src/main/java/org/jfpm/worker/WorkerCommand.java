package org.jfpm.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that lists every step preparing a worker: the exec chain
 * (setpriv for the parent-death signal and the pool's identity), php-cgi's
 * own flags, and the environment. Pure: it returns a command line and an
 * environment and starts nothing.
 *
 * <p>php-cgi is told {@code PHP_FCGI_CHILDREN=0} (serve from this one
 * process, never fork) and {@code PHP_FCGI_MAX_REQUESTS=0} (never exit on its
 * own: the master counts requests for pm.max_requests itself).
 */
public final class WorkerCommand {
    private WorkerCommand() {}

    public record Built(List<String> command, Map<String, String> environment) {}

    public static Built build(WorkerSpec spec, Path socket, Map<String, String> masterEnv) {
        List<String> cmd = new ArrayList<>();
        // --pdeathsig: a master killed with SIGKILL takes its workers with it. The
        // kernel sends it when the *thread* that forked dies, so workers are
        // started from one long-lived thread (WorkerProcess.SPAWNER).
        cmd.add("setpriv");
        cmd.add("--pdeathsig=KILL");
        WorkerSpec.Identity id = spec.identity();
        if (id != null) {
            cmd.add("--reuid=" + id.uid());
            cmd.add("--regid=" + id.gid());
            // php-fpm calls initgroups() for a user it knows by name, else keeps no supplementary group
            cmd.add(id.name() != null ? "--init-groups" : "--clear-groups");
        }
        cmd.add("--");
        cmd.add(spec.phpCgi().binary().toString());
        if (spec.noPhpIni()) {
            cmd.add("-n");
        } else if (spec.phpIni() != null) {
            cmd.add("-c");
            cmd.add(spec.phpIni().toString());
        } else {
            spec.phpCgi().fpmConfigDir().ifPresent(dir -> {
                cmd.add("-c");
                cmd.add(dir.resolve("php.ini").toString());
            });
        }
        // later -d wins in php-cgi: command line first, then the pool, admin values last
        spec.defines().forEach(d -> define(cmd, d));
        spec.phpValues().forEach((k, v) -> define(cmd, k + "=" + iniQuoted(v)));
        spec.phpAdminValues().forEach((k, v) -> define(cmd, k + "=" + iniQuoted(v)));
        cmd.add("-b");
        cmd.add(socket.toString());

        Map<String, String> env = new LinkedHashMap<>();
        if (!spec.clearEnv()) {
            env.putAll(masterEnv);
        }
        if (id != null && id.name() != null) {
            // php-fpm sets USER and HOME from the pool user, unless env[] names them
            env.put("USER", id.name());
            if (id.home() != null) {
                env.put("HOME", id.home());
            }
        }
        env.putAll(spec.environment());
        env.put("PHP_FCGI_CHILDREN", "0");
        env.put("PHP_FCGI_MAX_REQUESTS", "0");
        // the master's own plumbing is not the site's business
        env.remove("FCGI_WEB_SERVER_ADDRS");
        env.remove("JFPM_LAUNCHER");
        env.remove("JFPM_DAEMON_CHILD");
        env.remove("_JAVA_SR_SIGNUM");
        if (!spec.noPhpIni() && spec.phpIni() == null) {
            spec.phpCgi().fpmConfigDir().ifPresent(dir -> env.put("PHP_INI_SCAN_DIR", dir.resolve("conf.d").toString()));
        }
        return new Built(List.copyOf(cmd), env);
    }

    /**
     * php-cgi parses a {@code -d} value as a php.ini line, so {@code a;b} would lose
     * {@code ;b} and {@code ${X}} would be expanded; php-fpm applies php_value as
     * written. Single quotes make the INI scanner take the text raw (newlines
     * included); a quote inside is closed, given as {@code "'"}, and reopened,
     * since adjacent INI strings concatenate.
     */
    static String iniQuoted(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    private static void define(List<String> cmd, String definition) {
        cmd.add("-d");
        cmd.add(definition);
    }
}
