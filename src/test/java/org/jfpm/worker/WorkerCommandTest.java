package org.jfpm.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;

/**
 * The command line and environment of a worker, without starting anything.
 * The php-cgi here has no version in its name, so no php-fpm configuration
 * directory is looked up and the result depends on nothing but the spec.
 */
class WorkerCommandTest {

    private static final PhpCgi PHP = new PhpCgi(Path.of("/opt/php/bin/php-cgi"), "");
    private static final Path SOCKET = Path.of("/run/jfpm/www-0.sock");
    private static final Map<String, String> MASTER_ENV = Map.of(
            "PATH", "/usr/bin:/bin",
            "HOME", "/root",
            "FCGI_WEB_SERVER_ADDRS", "127.0.0.1",
            "PHP_FCGI_MAX_REQUESTS", "500");

    private static SequencedMap<String, String> map(String... kv) {
        SequencedMap<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private record Spec(Path phpIni, boolean noPhpIni, List<String> defines, SequencedMap<String, String> values,
                        SequencedMap<String, String> admin, SequencedMap<String, String> env, boolean clearEnv,
                        WorkerSpec.Identity identity) {
        WorkerSpec build(PhpCgi php) {
            return WorkerSpec.forPool("www", php).phpIni(phpIni, noPhpIni).defines(defines).values(values, admin)
                    .environment(env, clearEnv).identity(identity).runtimeDir(Path.of("/run/jfpm")).build();
        }
    }

    private static Spec plain() {
        return new Spec(null, false, List.of(), map(), map(), map(), false, null);
    }

    private static WorkerCommand.Built build(Spec s) {
        return WorkerCommand.build(s.build(PHP), SOCKET, MASTER_ENV);
    }

    @Test
    void fullCommandLineInOrder() {
        Spec s = new Spec(Path.of("/etc/jfpm/php.ini"), false,
                List.of("memory_limit=64M", "display_errors"),
                map("memory_limit", "96M", "error_reporting", "E_ALL & ~E_NOTICE"),
                map("memory_limit", "128M"),
                map(), false, null);
        assertThat(build(s).command()).containsExactly(
                "setpriv", "--pdeathsig=KILL",      // a master killed with SIGKILL takes the worker with it
                "--",                               // end of setpriv's options
                "/opt/php/bin/php-cgi",
                "-c", "/etc/jfpm/php.ini",          // -c of the jfpm command line
                "-d", "memory_limit=64M",           // -d of the jfpm command line first,
                "-d", "display_errors",             //   as given (php-cgi reads a bare key as =1)
                "-d", "memory_limit='96M'",         // then php_value / php_flag, quoted: php-fpm
                "-d", "error_reporting='E_ALL & ~E_NOTICE'", // applies them as written, php-cgi parses -d
                "-d", "memory_limit='128M'",        // then php_admin_value last: the later -d wins
                "-b", "/run/jfpm/www-0.sock");      // the worker's private socket
    }

    /**
     * Shared workers: php-cgi's parent leads its own process group (its SIGTERM handler
     * signals the whole group) and hears of the master's death as SIGTERM, which it passes
     * on to its children; the program after setsid is found on the master's PATH, since
     * setsid looks it up in the worker's environment.
     */
    @Test
    void sharedParentRunsInItsOwnGroupAndForksTheChildren() {
        WorkerCommand.Built built = WorkerCommand.shared(plain().build(PHP), SOCKET, 8, MASTER_ENV);
        assertThat(built.command()).containsExactly(
                "setsid", "--", "/usr/bin/setpriv", "--pdeathsig=TERM", "--", "/opt/php/bin/php-cgi",
                "-b", "/run/jfpm/www-0.sock");
        assertThat(built.environment()).containsEntry("PHP_FCGI_CHILDREN", "8").containsEntry("PHP_FCGI_MAX_REQUESTS", "0");
        assertThat(built.steps().getFirst().program()).isEqualTo("setsid");
        assertThat(build(plain()).environment()).containsEntry("PHP_FCGI_CHILDREN", "0");
    }

    @Test
    void noPhpIniWinsOverAPhpIniPath() {
        Spec s = new Spec(Path.of("/etc/jfpm/php.ini"), true, List.of(), map(), map(), map(), false, null);
        assertThat(build(s).command()).containsExactly(
                "setpriv", "--pdeathsig=KILL", "--", "/opt/php/bin/php-cgi", "-n", "-b", "/run/jfpm/www-0.sock");
    }

    @Test
    void withoutPhpIniOrFpmDirectoryPhpCgiPicksItsOwn() {
        assertThat(build(plain()).command()).containsExactly(
                "setpriv", "--pdeathsig=KILL", "--", "/opt/php/bin/php-cgi", "-b", "/run/jfpm/www-0.sock");
        assertThat(build(plain()).environment()).doesNotContainKey("PHP_INI_SCAN_DIR");
    }

    @Test
    void identityIsNumericSetprivOptionsBeforeTheBinaryWithUserAndHome() {
        Spec s = new Spec(null, false, List.of(), map(), map(), map(), false,
                new WorkerSpec.Identity(33, 33, "www-data", "/var/www"));
        WorkerCommand.Built built = build(s);
        assertThat(built.command()).containsExactly(
                "setpriv", "--pdeathsig=KILL",
                "--reuid=33", "--regid=33",             // real and effective ids, resolved by the master
                "--init-groups",                        // the user's supplementary groups, not root's
                "--", "/opt/php/bin/php-cgi", "-b", "/run/jfpm/www-0.sock");
        // php-fpm sets USER and HOME from the pool user
        assertThat(built.environment()).containsEntry("USER", "www-data").containsEntry("HOME", "/var/www");
    }

    @Test
    void uidWithoutPasswdEntryKeepsNoSupplementaryGroups() {
        Spec s = new Spec(null, false, List.of(), map(), map(), map(), true, new WorkerSpec.Identity(4242, 4243, null, null));
        WorkerCommand.Built built = build(s);
        assertThat(built.command()).containsSequence("--reuid=4242", "--regid=4243", "--clear-groups", "--");
        assertThat(built.environment()).doesNotContainKeys("USER", "HOME");
    }

    @Test
    void iniQuotingKeepsValuesAsWritten() {
        assertThat(WorkerCommand.iniQuoted("ab;cd")).isEqualTo("'ab;cd'");
        assertThat(WorkerCommand.iniQuoted("it's")).isEqualTo("'it'\"'\"'s'");
        assertThat(WorkerCommand.iniQuoted("${HOME}")).isEqualTo("'${HOME}'");
    }

    @Test
    void environmentKeepsTheMastersUnlessClearEnv() {
        Spec s = new Spec(null, false, List.of(), map(), map(), map("APP_ENV", "prod"), false, null);
        assertThat(build(s).environment()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "PATH", "/usr/bin:/bin",
                "HOME", "/root",
                "APP_ENV", "prod",
                "PHP_FCGI_CHILDREN", "0",       // one process, php-cgi never forks
                "PHP_FCGI_MAX_REQUESTS", "0")); // never exits on its own (the master's 500 is overridden)
        // FCGI_WEB_SERVER_ADDRS would make php-cgi refuse the master's connection if it did not list it
    }

    @Test
    void clearEnvStartsFromNothingButThePoolsEnv() {
        Spec s = new Spec(null, false, List.of(), map(), map(), map("APP_ENV", "prod", "PATH", "/pool/bin"),
                true, null);
        assertThat(build(s).environment()).containsExactly(
                Map.entry("APP_ENV", "prod"),
                Map.entry("PATH", "/pool/bin"),
                Map.entry("PHP_FCGI_CHILDREN", "0"),
                Map.entry("PHP_FCGI_MAX_REQUESTS", "0"));
    }

    @Test
    void poolEnvCannotUndoTheWorkerSettings() {
        // env[PHP_FCGI_CHILDREN] = 8 would make php-cgi fork children the master does not see
        Spec s = new Spec(null, false, List.of(), map(), map(),
                map("PHP_FCGI_CHILDREN", "8", "PHP_FCGI_MAX_REQUESTS", "500", "FCGI_WEB_SERVER_ADDRS", "10.0.0.1"),
                true, null);
        assertThat(build(s).environment()).containsExactly(
                Map.entry("PHP_FCGI_CHILDREN", "0"),
                Map.entry("PHP_FCGI_MAX_REQUESTS", "0"));
    }

    @Test
    void fpmConfigDirectoryGivesPhpIniAndScanDir() {
        PhpCgi versioned = new PhpCgi(Path.of("/usr/bin/php-cgi8.2"), "8.2");
        assumeTrue(versioned.fpmConfigDir().isPresent(), "no /etc/php/8.2/fpm/php.ini on this machine");
        WorkerCommand.Built built = WorkerCommand.build(plain().build(versioned), SOCKET, MASTER_ENV);
        assertThat(built.command()).containsSequence("/usr/bin/php-cgi8.2", "-c", "/etc/php/8.2/fpm/php.ini");
        // php-fpm's conf.d, so an extension enabled with phpenmod -s fpm is loaded
        assertThat(built.environment()).containsEntry("PHP_INI_SCAN_DIR", "/etc/php/8.2/fpm/conf.d");
    }

    @Test
    void explicitPhpIniKeepsPhpFpmsScanDir() {
        // php-fpm -c FILE still scans its compiled-in conf.d (main/php_ini.c): -c names the file only
        PhpCgi versioned = new PhpCgi(Path.of("/usr/bin/php-cgi8.2"), "8.2");
        assumeTrue(versioned.fpmConfigDir().isPresent(), "no /etc/php/8.2/fpm/php.ini on this machine");
        Spec s = new Spec(Path.of("/etc/jfpm/php.ini"), false, List.of(), map(), map(), map(), true, null);
        WorkerCommand.Built built = WorkerCommand.build(s.build(versioned), SOCKET, MASTER_ENV);
        assertThat(built.command()).containsSequence("/usr/bin/php-cgi8.2", "-c", "/etc/jfpm/php.ini");
        assertThat(built.environment()).containsEntry("PHP_INI_SCAN_DIR", "/etc/php/8.2/fpm/conf.d");
    }

    private static WorkerSpec confined(WorkerSpec.Confinement c, WorkerSpec.Identity id) {
        return WorkerSpec.forPool("www", PHP).environment(map(), true).identity(id).runtimeDir(Path.of("/run/jfpm"))
                .confinement(c).build();
    }

    @Test
    void everyStepInPhpFpmsOrderBeforeSetprivDropsRoot() {
        WorkerSpec spec = confined(new WorkerSpec.Confinement(Path.of("/srv/jail"), Path.of("/app"), 4096, -1, -5),
                new WorkerSpec.Identity(65534, 65534, "nobody", "/nonexistent"));
        WorkerCommand.Built built = WorkerCommand.build(spec, SOCKET, MASTER_ENV);
        assertThat(built.command()).containsExactly(
                "prlimit", "--nofile=4096:4096",      // rlimit_files, soft and hard as php-fpm's setrlimit
                "--core=unlimited:unlimited", "--",   // rlimit_core = unlimited
                "nice", "-n", "-5", "--",             // process.priority, relative to the master's niceness
                "chroot", "--", "/srv/jail",          // chroot(2) and chdir("/"); later programs are inside
                "env", "-C", "/app", "--",            // chdir, inside the chroot
                "setpriv", "--pdeathsig=KILL",        // last: a uid change would clear the death signal
                "--reuid=65534", "--regid=65534", "--init-groups", "--",
                "/opt/php/bin/php-cgi", "-b", "/run/jfpm/www-0.sock");
        assertThat(built.steps()).extracting(WorkerCommand.Step::describe).containsExactly(
                "rlimit_files/rlimit_core (prlimit)", "process.priority (nice)", "chroot (chroot)",
                "chdir (env)", "user/group (setpriv)");
    }

    @Test
    void groupsResolvedByTheMasterAreGivenAsNumbers() {
        WorkerSpec spec = confined(new WorkerSpec.Confinement(Path.of("/srv/jail"), null, 0, 0, null),
                new WorkerSpec.Identity(33, 33, "www-data", "/var/www", List.of(33, 4)));
        assertThat(WorkerCommand.build(spec, SOCKET, MASTER_ENV).command())
                .containsSequence("--reuid=33", "--regid=33", "--groups=33,4", "--");
    }

    @Test
    void chdirWithoutChrootAndOnlyTheLimitsThatAreSet() {
        WorkerSpec spec = confined(new WorkerSpec.Confinement(null, Path.of("/srv/www"), 0, 0, null), null);
        assertThat(WorkerCommand.build(spec, SOCKET, MASTER_ENV).command()).containsExactly(
                "env", "-C", "/srv/www", "--",
                "setpriv", "--pdeathsig=KILL", "--", "/opt/php/bin/php-cgi", "-b", "/run/jfpm/www-0.sock");
        WorkerSpec core = confined(new WorkerSpec.Confinement(null, null, 0, 1024, null), null);
        assertThat(WorkerCommand.build(core, SOCKET, MASTER_ENV).command())
                .startsWith("prlimit", "--core=1024:1024", "--", "setpriv");
    }

    @Test
    void chrootAloneAlreadyLeavesTheWorkerInItsRoot() {
        WorkerSpec spec = confined(new WorkerSpec.Confinement(Path.of("/srv/jail"), Path.of("/"), 0, 0, null), null);
        assertThat(WorkerCommand.build(spec, SOCKET, MASTER_ENV).command())
                .startsWith("chroot", "--", "/srv/jail", "setpriv");
    }

    @Test
    void theStartUpRunIsTheSameChainEndingInInfo() {
        WorkerSpec spec = confined(new WorkerSpec.Confinement(null, null, 2048, 0, 3), null);
        assertThat(WorkerCommand.info(spec, MASTER_ENV).command()).containsExactly(
                "prlimit", "--nofile=2048:2048", "--", "nice", "-n", "3", "--",
                "setpriv", "--pdeathsig=KILL", "--", "/opt/php/bin/php-cgi", "-i");
    }
}
