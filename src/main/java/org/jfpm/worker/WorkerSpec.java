package org.jfpm.worker;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Everything that makes one pool's workers what they are, gathered from the
 * pool's configuration and the command line. {@link WorkerCommand} turns it
 * into a command line and an environment; nothing else prepares a worker.
 *
 * @param pool            pool name, for log lines
 * @param phpCgi          the binary
 * @param phpIni          {@code -c}: a php.ini file or directory, or null for the default
 * @param noPhpIni        {@code -n}
 * @param defines         {@code -d} of the jfpm command line, as given ({@code k=v} or {@code k})
 * @param phpValues       php_value and php_flag of the pool
 * @param phpAdminValues  php_admin_value and php_admin_flag of the pool
 * @param environment     env[] of the pool, {@code $VAR} already resolved
 * @param clearEnv        start from an empty environment instead of the master's
 * @param identity        the user and group to switch to, or null to stay who the master is
 * @param catchOutput     catch_workers_output
 * @param decorateOutput  decorate_workers_output
 * @param runtimeDir      where the pool's private worker sockets live (writable by the identity);
 *                        for a chroot pool the same path must reach the same directory inside the chroot
 * @param confinement     chroot, chdir, rlimits and priority of the workers
 * @param prelude         jfpm's auto_prepend_file and what it needs, or null before {@link Prelude#begin}
 */
public record WorkerSpec(
        String pool,
        PhpCgi phpCgi,
        Path phpIni,
        boolean noPhpIni,
        List<String> defines,
        SequencedMap<String, String> phpValues,
        SequencedMap<String, String> phpAdminValues,
        SequencedMap<String, String> environment,
        boolean clearEnv,
        Identity identity,
        boolean catchOutput,
        boolean decorateOutput,
        Path runtimeDir,
        Confinement confinement,
        Prelude prelude) {

    /**
     * A spec for {@code pool}'s workers running {@code phpCgi}, built by naming what
     * differs from the defaults: php-cgi's own php.ini, no values, the master's
     * environment, the master's identity, output not caught, no confinement, no prelude
     * (which {@link Prelude#begin} adds once the pool's directory exists).
     */
    public static Builder forPool(String pool, PhpCgi phpCgi) {
        return new Builder(pool, phpCgi);
    }

    /** Named steps instead of fifteen positional arguments. */
    public static final class Builder {
        private final String pool;
        private final PhpCgi phpCgi;
        private Path phpIni;
        private boolean noPhpIni;
        private List<String> defines = List.of();
        private SequencedMap<String, String> phpValues = new LinkedHashMap<>();
        private SequencedMap<String, String> phpAdminValues = new LinkedHashMap<>();
        private SequencedMap<String, String> environment = new LinkedHashMap<>();
        private boolean clearEnv;
        private Identity identity;
        private boolean catchOutput;
        private boolean decorateOutput;
        private Path runtimeDir;
        private Confinement confinement = Confinement.NONE;

        private Builder(String pool, PhpCgi phpCgi) {
            this.pool = pool;
            this.phpCgi = phpCgi;
        }

        /** {@code -c} (null: php-cgi's own lookup) and {@code -n}. */
        public Builder phpIni(Path file, boolean none) {
            this.phpIni = file;
            this.noPhpIni = none;
            return this;
        }

        /** {@code -d} of the jfpm command line. */
        public Builder defines(List<String> d) {
            this.defines = d;
            return this;
        }

        /** php_value/php_flag, then php_admin_value/php_admin_flag. */
        public Builder values(SequencedMap<String, String> values, SequencedMap<String, String> adminValues) {
            this.phpValues = values;
            this.phpAdminValues = adminValues;
            return this;
        }

        /** env[] and clear_env. */
        public Builder environment(SequencedMap<String, String> env, boolean clear) {
            this.environment = env;
            this.clearEnv = clear;
            return this;
        }

        public Builder identity(Identity id) {
            this.identity = id;
            return this;
        }

        /** catch_workers_output and decorate_workers_output. */
        public Builder output(boolean caught, boolean decorated) {
            this.catchOutput = caught;
            this.decorateOutput = decorated;
            return this;
        }

        public Builder runtimeDir(Path dir) {
            this.runtimeDir = dir;
            return this;
        }

        public Builder confinement(Confinement c) {
            this.confinement = c;
            return this;
        }

        public WorkerSpec build() {
            return new WorkerSpec(pool, phpCgi, phpIni, noPhpIni, defines, phpValues, phpAdminValues, environment,
                    clearEnv, identity, catchOutput, decorateOutput, runtimeDir, confinement, null);
        }
    }

    public WorkerSpec withPrelude(Prelude installed) {
        return new WorkerSpec(pool, phpCgi, phpIni, noPhpIni, defines, phpValues, phpAdminValues, environment,
                clearEnv, identity, catchOutput, decorateOutput, runtimeDir, confinement, installed);
    }

    /**
     * Who a pool's workers run as (php-fpm's fpm_unix_resolve_socket_premissions and
     * fpm_unix_set_user): numeric ids resolved at start-up, and the user's name and
     * home for {@code --init-groups}, {@code USER} and {@code HOME} when the passwd
     * database knows the uid.
     *
     * @param name    user name, or null for a uid without a passwd entry
     * @param home    home directory, or null when unknown
     * @param groups  the supplementary groups resolved by the master, or empty to let
     *                setpriv's {@code --init-groups} look them up (a chroot pool gets them
     *                resolved outside: setpriv runs inside, where there may be no passwd)
     */
    public record Identity(int uid, int gid, String name, String home, List<Integer> groups) {
        public Identity {
            groups = List.copyOf(groups);
        }

        public Identity(int uid, int gid, String name, String home) {
            this(uid, gid, name, home, List.of());
        }

        public Identity withGroups(List<Integer> resolved) {
            return new Identity(uid, gid, name, home, resolved);
        }
    }

    /**
     * The rest of php-fpm's worker set-up (fpm_unix_init_child: rlimits, chroot, chdir,
     * nice), resolved by the master: pool value, else the global one; the ones php-fpm
     * applies as root only are null when the master is not root.
     *
     * @param chroot         the new root, or null
     * @param chdir          the working directory (inside the chroot), or null to keep
     *                       the master's ({@code /} after a chroot)
     * @param rlimitFiles    RLIMIT_NOFILE, soft and hard; 0 = inherit
     * @param rlimitCore     RLIMIT_CORE, soft and hard; -1 = unlimited, 0 = inherit
     * @param niceIncrement  what {@code nice -n} adds to the master's niceness so that the
     *                       worker gets process.priority (php-fpm's setpriority is absolute),
     *                       or null to inherit
     */
    public record Confinement(Path chroot, Path chdir, int rlimitFiles, long rlimitCore, Integer niceIncrement) {
        public static final Confinement NONE = new Confinement(null, null, 0, 0, null);
    }
}
