package org.jfpm.master;

import org.jfpm.log.PoolLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.GlobalConfig;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Log;
import org.jfpm.os.Accounts;
import org.jfpm.worker.PhpCgi;
import org.jfpm.worker.Prelude;
import org.jfpm.worker.WorkerSpec;

/**
 * Turns a pool's configuration into what its workers need: identity, confinement,
 * a private socket directory, the checked exec chain (php-fpm's fpm_unix.c and
 * the child set-up of fpm_children.c, done before anything binds). It owns the
 * master's runtime directory and removes everything it made there at exit.
 */
final class PoolSetup {
    private final ConfigOptions options;
    private final PhpCgi phpCgi;
    private final Path runtimeDir;
    private final AtomicInteger poolSeq = new AtomicInteger();
    /** Set by {@link #cleanUp}: nothing is restored any more. */
    private boolean closed;
    /** Directories made inside chroots for worker sockets, removed at exit. */
    private final List<Path> chrootDirs = new ArrayList<>();

    private PoolSetup(ConfigOptions options, PhpCgi phpCgi, Path runtimeDir) {
        this.options = options;
        this.phpCgi = phpCgi;
        this.runtimeDir = runtimeDir;
    }

    /** The php-cgi to run and a fresh runtime directory; null after logging why there is none. */
    static PoolSetup create(ConfigOptions options) {
        PhpCgi phpCgi = PhpCgi.locate().orElse(null);
        if (phpCgi == null) {
            Log.error("php-cgi not found: install php8.2-cgi or set JFPM_PHP_CGI to the php-cgi binary");
            return null;
        }
        try {
            return new PoolSetup(options, phpCgi, RuntimeDir.create());
        } catch (IOException e) {
            Log.error("unable to create the runtime directory for worker sockets: " + e.getMessage());
            return null;
        }
    }

    /** A new, never used socket directory for a pool (the pools of a reload get their own). */
    private Path nextSocketDir() {
        return runtimeDir.resolve("pool" + poolSeq.getAndIncrement());
    }

    /**
     * A pool's worker spec and its socket directory, with its prelude being prepared
     * ({@link Prelude.Pending#finish} completes it); null after logging why the pool cannot run.
     */
    Prelude.Pending spec(PoolConfig pc, GlobalConfig global) {
        PhpCgi phpCgi = this.phpCgi;
        Path socketDir = nextSocketDir();
        WorkerSpec.Identity identity = null;
        if (Accounts.runningAsRoot() && pc.user() != null) {
            identity = identity(pc);
            if (identity == null) {
                return null;
            }
            if ((identity.uid() == 0 || identity.gid() == 0) && !options.allowRoot()) {
                new PoolLog(pc.name()).error("please specify user and group other than root");
                return null;
            }
        }
        WorkerSpec.Confinement confinement = confinement(pc, global);
        if (confinement.chroot() != null && identity != null && identity.name() != null) {
            // setpriv runs inside the chroot, where --init-groups may find no passwd or group file
            // (php-fpm's initgroups() also runs after chroot(), but with the name services it loaded before)
            identity = identity.withGroups(Accounts.groupList(identity.name()));
        }
        if (confinement.chroot() != null) {
            // the chroot's own php-cgi: the real file, so that no symlink chain must exist inside
            try {
                phpCgi = new PhpCgi(phpCgi.binary().toRealPath(), phpCgi.version());
            } catch (IOException e) {
                new PoolLog(pc.name()).error("php-cgi " + phpCgi.binary() + ": " + e.getMessage());
                return null;
            }
        }
        try {
            createSocketDir(socketDir, identity, confinement.chroot());
        } catch (IOException e) {
            new PoolLog(pc.name()).error("unable to create the worker socket directory " + socketDir + ": "
                    + e.getMessage());
            return null;
        }
        WorkerSpec spec = WorkerSpec.forPool(pc.name(), phpCgi)
                .phpIni(options.phpIni(), options.noPhpIni())
                .defines(options.phpDefines())
                .values(pc.phpValues(), pc.phpAdminValues())
                .environment(pc.environment(System.getenv()), pc.clearEnv())
                .identity(identity)
                .output(pc.catchWorkersOutput(), pc.decorateWorkersOutput())
                .runtimeDir(socketDir)
                .confinement(confinement)
                .build();
        return Prelude.begin(spec); // null after logging why
    }

    /**
     * rlimits (pool, else global: php-fpm's master applies the global ones to itself and
     * its children inherit them), chdir, and the root-only chroot and priority.
     */
    private static WorkerSpec.Confinement confinement(PoolConfig pc, GlobalConfig global) {
        boolean root = Accounts.runningAsRoot(); // else the loader has said they are ignored
        Path chroot = root && pc.chroot() != null ? Path.of(pc.chroot()) : null;
        Path chdir = pc.chdir() != null ? Path.of(pc.chdir()) : null;
        int files = pc.rlimitFiles() > 0 ? pc.rlimitFiles() : global.rlimitFiles();
        long core = pc.rlimitCore() != 0 ? pc.rlimitCore() : global.rlimitCore();
        Integer priority = !root ? null : pc.processPriority() != null ? pc.processPriority() : global.processPriority();
        Integer increment = priority == null ? null : priority - ownNiceness();
        return new WorkerSpec.Confinement(chroot, chdir, files, core, increment);
    }

    /** The master's niceness ({@code /proc/self/stat} field 19): nice -n is relative, process.priority absolute. */
    private static int ownNiceness() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // field 19 counted from pid = 1; fields[0] is field 3
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * The pool's private directory for worker sockets, writable by the pool's user only.
     *
     * <p>A chroot pool's php-cgi binds its socket inside the chroot while the master
     * connects from outside, and both use the one path the spec holds. So the real
     * directory is created at the same path under the chroot ({@code <chroot>/tmp/jfpm-X/pool0})
     * and the master's path ({@code /tmp/jfpm-X/pool0}) is a symlink to it: inside the chroot
     * the path names the directory itself, outside it leads there through the link.
     */
    private void createSocketDir(Path socketDir, WorkerSpec.Identity identity, Path chroot) throws IOException {
        Path real = socketDir;
        if (chroot != null) {
            real = chroot.resolve(socketDir.toString().substring(1));
            Path firstNew = real;
            for (Path p = real.getParent(); !Files.exists(p); p = p.getParent()) {
                firstNew = p;
            }
            Files.createDirectories(real.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx--x--x")));
            if (!firstNew.equals(real)) {
                synchronized (chrootDirs) {
                    chrootDirs.add(firstNew);
                }
            }
        }
        Files.createDirectory(real, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (chroot != null) {
            synchronized (chrootDirs) {
                chrootDirs.add(real);
            }
            Files.createSymbolicLink(socketDir, real);
        }
        if (identity != null) {
            Files.setAttribute(real, "unix:uid", identity.uid());
            Files.setAttribute(real, "unix:gid", identity.gid());
        }
    }

    /** The pool's user and group as numbers, names looked up as php-fpm does (all digits: taken as is). */
    private static WorkerSpec.Identity identity(PoolConfig pc) {
        String user = pc.user();
        Accounts.User account = isNumber(user) ? Accounts.userById(Integer.parseInt(user)).orElse(null)
                : Accounts.user(user).orElse(null);
        if (account == null && !isNumber(user)) {
            new PoolLog(pc.name()).error("cannot get uid for user '" + user + "'");
            return null;
        }
        int uid = account != null ? account.uid() : Integer.parseInt(user);
        int gid;
        String group = pc.group();
        if (group != null) {
            Integer g = isNumber(group) ? Integer.valueOf(group) : Accounts.groupId(group).orElse(null);
            if (g == null) {
                new PoolLog(pc.name()).error("cannot get gid for group '" + group + "'");
                return null;
            }
            gid = g;
        } else if (account != null) {
            gid = account.gid();
        } else {
            new PoolLog(pc.name()).error("cannot get gid for user '" + user + "'");
            return null;
        }
        return new WorkerSpec.Identity(uid, gid, account == null ? null : account.name(),
                account == null ? null : account.home());
    }

    private static boolean isNumber(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    /**
     * Puts back what the workers of {@code specs} need when something else removed it (a
     * temp-dir cleaner, another program): the runtime directory and its lock, each pool's
     * socket directory, the prelude. Each repair is logged as a WARNING; workers already
     * connected keep serving, new ones can start again. Called once a second. Returns
     * false only once the master is removing them on its way out.
     */
    synchronized boolean restore(List<WorkerSpec> specs) {
        if (closed) {
            return false; // the master is removing them on its way out
        }
        try {
            if (!Files.isDirectory(runtimeDir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(runtimeDir.getParent());
                Files.createDirectory(runtimeDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx--x--x")));
                RuntimeDir.relock(runtimeDir);
                Log.warning("the runtime directory " + runtimeDir + " was removed by another process: recreated");
            }
        } catch (IOException e) {
            Log.error("unable to recreate the runtime directory " + runtimeDir + ": " + e.getMessage());
            return true;
        }
        for (WorkerSpec spec : specs) {
            restore(spec);
        }
        return true;
    }

    private void restore(WorkerSpec spec) {
        Path socketDir = spec.runtimeDir();
        try {
            if (!Files.exists(socketDir)) {
                if (Files.isSymbolicLink(socketDir)) {
                    Files.delete(socketDir); // a chroot pool's link whose target went
                }
                createSocketDir(socketDir, spec.identity(), spec.confinement().chroot());
                new PoolLog(spec.pool()).warning("the worker socket directory " + socketDir
                        + " was removed by another process: recreated");
            }
            if (spec.prelude() != null && spec.prelude().restore()) {
                new PoolLog(spec.pool()).warning("the worker prelude " + spec.prelude().file()
                        + " was removed by another process: recreated");
            }
        } catch (IOException e) {
            new PoolLog(spec.pool()).error("unable to recreate " + socketDir + ": " + e.getMessage());
        }
    }

    /** Removes the runtime directory and what was made inside chroots. */
    synchronized void cleanUp() {
        closed = true;
        List<Path> dirs;
        synchronized (chrootDirs) {
            dirs = new ArrayList<>(chrootDirs);
        }
        dirs.add(runtimeDir);
        dirs.forEach(RuntimeDir::delete);
    }
}
