package org.jfpm.worker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that lists every step preparing a worker: the exec chain, php-cgi's
 * own flags, and the environment. Pure: it returns a command line and an
 * environment and starts nothing.
 *
 * <p>php-fpm prepares a child after fork() (fpm_unix_init_child): rlimits, chroot,
 * chdir, nice, setgid, initgroups, setuid. jfpm never forks inside the JVM; each
 * step is a standard tool that does its one thing and exec()s the next, so the
 * worker keeps one pid from the master's fork to php-cgi:
 * <pre>
 *   prlimit --nofile=N:N --core=C:C --     rlimit_files, rlimit_core   (util-linux)
 *   nice -n K --                           process.priority            (coreutils)
 *   env -C DIR --                          chdir, no chroot            (coreutils)
 *   chroot -- ROOT [env -C DIR --]         chroot [+ chdir inside]     (coreutils)
 *   setpriv --pdeathsig=KILL [--reuid=U --regid=G --init-groups] --   user, group (util-linux)
 *   php-cgi -c ... -d ... -b SOCKET
 * </pre>
 * The order is php-fpm's, and it is forced anyway: raising a hard limit, a
 * negative nice and chroot need root, so they come before setpriv drops it; after
 * chroot every later program (env, setpriv, php-cgi and their libraries) is looked
 * up inside the new root. setpriv comes last because a change of uid clears the
 * parent-death signal (prctl(2)): set after it, it survives the exec of php-cgi.
 *
 * <p>php-cgi is told {@code PHP_FCGI_CHILDREN=0} (serve from this one
 * process, never fork; {@link #shared} is the exception) and {@code PHP_FCGI_MAX_REQUESTS=0} (never exit on its
 * own: the master counts requests for pm.max_requests itself).
 */
public final class WorkerCommand {
    private WorkerCommand() {}

    /**
     * @param steps  the preparing programs in the order they run, to say which one failed
     */
    public record Built(List<String> command, Map<String, String> environment, List<Step> steps) {
        public Built {
            command = List.copyOf(command);
            steps = List.copyOf(steps);
        }
    }

    /**
     * One program of the exec chain and the pool directive it applies. Each tool
     * prefixes its errors with its name ({@code chroot: cannot change root directory to ...}),
     * which is how a failed start names its step.
     */
    public record Step(String program, String directive) {
        public String describe() {
            return directive + " (" + program + ")";
        }
    }

    public static Built build(WorkerSpec spec, Path socket, Map<String, String> masterEnv) {
        return build(spec, List.of("-b", socket.toString()), masterEnv, 0);
    }

    /**
     * The chain for a pool's shared workers: one php-cgi parent that forks {@code children}
     * children once opcache's shared memory exists, all accepting on {@code socket}
     * (sapi/cgi/cgi_main.c, main: the PHP_FCGI_CHILDREN loop). Two steps differ:
     * {@code setsid} first, so that the parent leads a process group of its own, because
     * php-cgi's parent ends on SIGTERM by sending SIGTERM to its whole group
     * (fastcgi_cleanup), which must not reach the master; and a parent-death signal of
     * SIGTERM instead of SIGKILL, so that a master killed with SIGKILL takes the
     * children with it through that same handler (a child's own parent-death signal
     * cannot be set: fork(2) clears it).
     */
    public static Built shared(WorkerSpec spec, Path socket, int children, Map<String, String> masterEnv) {
        return build(spec, List.of("-b", socket.toString()), masterEnv, children);
    }

    /**
     * The same chain ending in {@code php-cgi -i}, without the prelude: run once per pool at
     * start-up, it proves every step works and tells {@link Prelude} the pool's own
     * auto_prepend_file, open_basedir and cgi.fix_pathinfo.
     */
    static Built info(WorkerSpec spec, Map<String, String> masterEnv) {
        return build(spec, List.of("-i"), masterEnv, 0);
    }

    private static Built build(WorkerSpec spec, List<String> phpCgiTail, Map<String, String> masterEnv,
            int children) {
        List<String> cmd = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        if (children > 0) {
            steps.add(new Step("setsid", "shared workers' process group"));
            cmd.addAll(List.of("setsid", "--"));
        }
        WorkerSpec.Confinement c = spec.confinement();
        if (c.rlimitFiles() > 0 || c.rlimitCore() != 0) {
            steps.add(new Step("prlimit", "rlimit_files/rlimit_core"));
            cmd.add("prlimit");
            if (c.rlimitFiles() > 0) {
                cmd.add("--nofile=" + c.rlimitFiles() + ":" + c.rlimitFiles());
            }
            if (c.rlimitCore() != 0) {
                String core = c.rlimitCore() < 0 ? "unlimited" : Long.toString(c.rlimitCore());
                cmd.add("--core=" + core + ":" + core);
            }
            cmd.add("--");
        }
        if (c.niceIncrement() != null) {
            steps.add(new Step("nice", "process.priority"));
            cmd.addAll(List.of("nice", "-n", Integer.toString(c.niceIncrement()), "--"));
        }
        if (c.chroot() != null) {
            steps.add(new Step("chroot", "chroot"));
            cmd.addAll(List.of("chroot", "--", c.chroot().toString())); // chroot(2), then chdir("/")
        }
        if (c.chdir() != null && !(c.chroot() != null && c.chdir().toString().equals("/"))) {
            steps.add(new Step("env", "chdir"));
            cmd.addAll(List.of("env", "-C", c.chdir().toString(), "--"));
        }
        // --pdeathsig: a master killed with SIGKILL takes its workers with it. The
        // kernel sends it when the *thread* that forked dies, so workers are
        // started from one long-lived thread (WorkerProcess.SPAWNER).
        steps.add(new Step("setpriv", spec.identity() != null ? "user/group" : "parent-death signal"));
        cmd.add("setpriv");
        cmd.add(children > 0 ? "--pdeathsig=TERM" : "--pdeathsig=KILL");
        WorkerSpec.Identity id = spec.identity();
        if (id != null) {
            cmd.add("--reuid=" + id.uid());
            cmd.add("--regid=" + id.gid());
            // php-fpm calls initgroups() for a user it knows by name, else keeps no supplementary group
            if (!id.groups().isEmpty()) {
                cmd.add("--groups=" + String.join(",", id.groups().stream().map(String::valueOf).toList()));
            } else {
                cmd.add(id.name() != null ? "--init-groups" : "--clear-groups");
            }
        }
        cmd.add("--");
        cmd.add(spec.phpCgi().binary().toString());
        PhpIniLookup.Resolved ini = PhpIniLookup.resolve(spec.phpIni(), spec.noPhpIni(), masterEnv,
                spec.phpCgi().fpmConfigDir());
        cmd.addAll(ini.args());
        // later -d wins in php-cgi: command line first, then the pool, admin values last
        spec.defines().forEach(d -> define(cmd, d));
        spec.phpValues().forEach((k, v) -> define(cmd, k + "=" + iniQuoted(v)));
        spec.phpAdminValues().forEach((k, v) -> define(cmd, k + "=" + iniQuoted(v)));
        Prelude prelude = spec.prelude();
        if (prelude != null) {
            // last, so they win: the user's auto_prepend_file is chained by the prelude itself
            define(cmd, "auto_prepend_file=" + iniQuoted(prelude.file().toString()));
            define(cmd, "jfpm.finish_marker=" + prelude.marker());
            // fpm_get_status() asks the master through the pool's status socket (status.StatusSocket)
            define(cmd, "jfpm.status_socket=" + iniQuoted(spec.runtimeDir().resolve("status.sock").toString()));
            if (!prelude.userPrepend().isEmpty()) {
                define(cmd, "jfpm.user_prepend=" + iniQuoted(prelude.userPrepend()));
            }
            if (prelude.adminLock() != null && !spec.phpAdminValues().isEmpty()) {
                // php_admin_value locked as php-fpm locks it, once at start-up (AdminLock)
                prelude.adminLock().defines(spec.phpAdminValues().keySet())
                        .forEach((k, v) -> define(cmd, k + "=" + iniQuoted(v)));
            }
            if (!prelude.openBasedir().isEmpty()) {
                // the prelude is included like any file: open_basedir must admit its directory
                define(cmd, "open_basedir=" + iniQuoted(prelude.openBasedir() + ":" + prelude.file().getParent()));
            }
        }
        cmd.addAll(phpCgiTail);
        if (children > 0) {
            // setsid exec()s the next program with the worker's environment, whose PATH (none with
            // clear_env) may not reach /usr/sbin/chroot: it gets the path the master would run
            cmd.set(2, onPath(cmd.get(2), masterEnv.get("PATH")));
        }

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
        env.put("PHP_FCGI_CHILDREN", Integer.toString(children));
        env.put("PHP_FCGI_MAX_REQUESTS", "0");
        // the master's own plumbing is not the site's business
        env.remove("FCGI_WEB_SERVER_ADDRS");
        env.remove("JFPM_LAUNCHER");
        env.remove("JFPM_ARGV0");
        env.remove("JFPM_STDERR_ISATTY");
        env.remove("JFPM_DAEMON_CHILD");
        env.remove("_JAVA_SR_SIGNUM");
        if (ini.scanDir() != null) {
            env.put("PHP_INI_SCAN_DIR", ini.scanDir());
        }
        return new Built(cmd, env, steps);
    }

    /** {@code program} as the first executable file of that name on {@code path}, else unchanged. */
    static String onPath(String program, String path) {
        if (program.contains("/")) {
            return program;
        }
        String dirs = path == null || path.isEmpty() ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
                : path;
        for (String dir : dirs.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return program;
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
