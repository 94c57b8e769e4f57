package org.jfpm.master;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.GlobalConfig;
import org.jfpm.config.PoolConfig;
import org.jfpm.front.Listener;
import org.jfpm.front.PoolFront;
import org.jfpm.log.Log;
import org.jfpm.os.Accounts;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.pool.Pool;
import org.jfpm.pool.ProcessLimit;
import org.jfpm.worker.PhpCgi;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * The master process from start to exit (php-fpm's fpm.c and fpm_signals.c).
 *
 * <p>Start-up, in php-fpm's order: log destination, pools and their worker
 * specs, every listening socket (any failure stops start-up with exit 78
 * before a worker exists), pid file, {@code fpm is running}, the initial
 * workers, the accept loops, {@code ready to handle connections}.
 *
 * <p>States: <b>normal</b>; <b>finishing</b> after SIGQUIT (no new
 * connections, requests in flight finish, then the workers are stopped);
 * <b>terminating</b> after SIGTERM or SIGINT (workers get SIGTERM at once,
 * SIGKILL a second later). Signals for the state already entered are
 * ignored; terminating is final.
 */
public final class Master {
    /** Exit status of a configuration or initialisation failure (php-fpm's FPM_EXIT_CONFIG). */
    public static final int EXIT_CONFIG = 78;

    private enum State { NORMAL, FINISHING, TERMINATING }

    private final FpmConfig config;
    private final boolean forceStderr;
    private final PrintStream daemonStatus;
    private final List<Pool> pools = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<PoolFront> fronts = new ArrayList<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile State state = State.NORMAL;
    private Path runtimeDir;
    /** Directories made inside chroots for worker sockets, removed at exit. */
    private final List<Path> chrootDirs = new ArrayList<>();

    /**
     * @param forceStderr   {@code -O}: log to stderr in the foreground even without a terminal
     * @param daemonStatus  when started by a daemonizing parent: where to report success or failure
     */
    public Master(FpmConfig config, boolean forceStderr, PrintStream daemonStatus) {
        this.config = config;
        this.forceStderr = forceStderr;
        this.daemonStatus = daemonStatus;
    }

    public int run() throws InterruptedException {
        GlobalConfig global = config.global();
        if (!openLog(global)) {
            return failStart();
        }
        config.messages().forEach(m -> Log.log(m.level(), m.text()));
        config.startupMessages().forEach(m -> Log.log(m.level(), m.text()));
        try {
            if (!setUp()) {
                return failStart();
            }
        } catch (RuntimeException e) {
            Log.error("start-up failed: " + e);
            cleanUp();
            return failStart();
        }
        long pid = ProcessHandle.current().pid();
        Log.notice("fpm is running, pid " + pid);
        pools.forEach(Pool::start);
        listeners.forEach(Listener::start);
        Log.notice("ready to handle connections");
        SystemdNotifier.create(pools, global.systemdInterval(), global.systemdIntervalConfigured()).ready();
        SignalWatcher.start(this::onSignal);
        reportDaemonStatus(true);
        Log.startupComplete();
        detachStdio();
        stopRequested.await();
        stop();
        Log.notice("exiting, bye-bye!");
        return 0;
    }

    private int failStart() {
        Log.error("FPM initialization failed");
        reportDaemonStatus(false);
        return EXIT_CONFIG;
    }

    /** php-fpm's rule (reference 9.2): the file when daemonized or without a terminal, unless -O. */
    private boolean openLog(GlobalConfig global) {
        Log.setLevel(global.logLevel());
        Log.setLimit(global.logLimit());
        boolean toFile = global.daemonize() || (!forceStderr && !Native.isatty(2));
        if (!toFile) {
            Log.useStderr();
            return true;
        }
        if (global.errorLog().equalsIgnoreCase("syslog")) {
            Log.useSyslog(global.syslogIdent(), global.syslogFacilityCode().code());
            return true;
        }
        try {
            Log.openFile(Path.of(global.errorLog()));
            return true;
        } catch (IOException e) {
            Log.useStderr();
            Log.error("failed to open error_log (" + global.errorLog() + "): " + e.getMessage());
            return false;
        }
    }

    /** Pools, worker specs, sockets and pid file; false after logging the first failure. */
    private boolean setUp() {
        if (!applyMasterLimits(config.global())) {
            return false;
        }
        PhpCgi phpCgi = PhpCgi.locate().orElse(null);
        if (phpCgi == null) {
            Log.error("php-cgi not found: install php8.2-cgi or set JFPM_PHP_CGI to the php-cgi binary");
            return false;
        }
        try {
            // traversable by the pools' users, listable by nobody but the master
            runtimeDir = Files.createTempDirectory("jfpm-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx--x--x")));
        } catch (IOException e) {
            Log.error("unable to create the runtime directory for worker sockets: " + e.getMessage());
            return false;
        }
        ProcessLimit processLimit = new ProcessLimit(config.global().processMax());
        for (PoolConfig pc : config.pools()) {
            WorkerSpec spec = spec(pc, phpCgi, runtimeDir.resolve("pool" + pools.size()));
            if (spec == null) {
                cleanUp();
                return false;
            }
            pools.add(new Pool(pc, spec, processLimit));
        }
        for (Pool pool : pools) {
            try {
                PoolFront front = PoolFront.open(pool);
                fronts.add(front);
                listeners.add(Listener.bind(front));
                if (pool.config().pmStatusListen() != null) {
                    listeners.add(Listener.bindStatusListen(front));
                }
            } catch (Listener.BindFailure e) {
                Log.error(e.getMessage());
                cleanUp();
                return false;
            }
        }
        Path pid = config.global().pid();
        if (pid != null) {
            try {
                PidFile.write(pid, ProcessHandle.current().pid());
            } catch (IOException e) {
                Log.error("Unable to create the PID file (" + pid + ").: " + e.getMessage());
                cleanUp();
                return false;
            }
        }
        return true;
    }

    /** The master's own rlimit_files, rlimit_core and process.priority (fpm_unix.c), in php-fpm's words. */
    private static boolean applyMasterLimits(GlobalConfig global) {
        try {
            if (global.rlimitFiles() > 0) {
                Native.setrlimit(Native.RLIMIT_NOFILE, global.rlimitFiles());
            }
        } catch (Native.NativeException e) {
            Log.alert("failed to set rlimit_files for this pool. Please check your system limits or decrease "
                    + "rlimit_files. setrlimit(RLIMIT_NOFILE, " + global.rlimitFiles() + "): " + tail(e));
            return false;
        }
        try {
            long core = global.rlimitCore();
            if (core != 0) {
                Native.setrlimit(Native.RLIMIT_CORE, core < 0 ? Native.RLIM_INFINITY : core);
            }
        } catch (Native.NativeException e) {
            Log.alert("failed to set rlimit_core for this pool. Please check your system limits or decrease "
                    + "rlimit_core. setrlimit(RLIMIT_CORE, " + global.rlimitCore() + "): " + tail(e));
            return false;
        }
        if (global.processPriority() != null && Accounts.runningAsRoot()) {
            try {
                Native.setpriority(global.processPriority());
            } catch (Native.NativeException e) {
                Log.error("Unable to set priority for the master process: " + tail(e));
                return false;
            }
        }
        return true;
    }

    private static String tail(Native.NativeException e) {
        String m = e.getMessage();
        return m.substring(m.indexOf(": ") + 2);
    }

    /** A pool's worker spec and its socket directory; null after logging why the pool cannot run. */
    private WorkerSpec spec(PoolConfig pc, PhpCgi phpCgi, Path socketDir) {
        WorkerSpec.Identity identity = null;
        if (Accounts.runningAsRoot() && pc.user() != null) {
            identity = identity(pc);
            if (identity == null) {
                return null;
            }
            if ((identity.uid() == 0 || identity.gid() == 0) && !config.options().allowRoot()) {
                Log.error("[pool " + pc.name() + "] please specify user and group other than root");
                return null;
            }
        }
        WorkerSpec.Confinement confinement = confinement(pc);
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
                Log.error("[pool " + pc.name() + "] php-cgi " + phpCgi.binary() + ": " + e.getMessage());
                return null;
            }
        }
        try {
            createSocketDir(socketDir, identity, confinement.chroot());
        } catch (IOException e) {
            Log.error("[pool " + pc.name() + "] unable to create the worker socket directory " + socketDir + ": "
                    + e.getMessage());
            return null;
        }
        WorkerSpec spec = new WorkerSpec(pc.name(), phpCgi, config.options().phpIni(), config.options().noPhpIni(),
                config.options().phpDefines(), pc.phpValues(), pc.phpAdminValues(),
                pc.environment(System.getenv()), pc.clearEnv(), identity,
                pc.catchWorkersOutput(), pc.decorateWorkersOutput(), socketDir, confinement);
        try {
            String failure = WorkerProcess.probe(spec);
            if (failure != null) {
                Log.error("[pool " + pc.name() + "] unable to prepare a worker: " + failure);
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        return org.jfpm.worker.Prelude.install(spec); // null after logging why
    }

    /**
     * rlimits (pool, else global: php-fpm's master applies the global ones to itself and
     * its children inherit them), chdir, and the root-only chroot and priority.
     */
    private WorkerSpec.Confinement confinement(PoolConfig pc) {
        GlobalConfig global = config.global();
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
                chrootDirs.add(firstNew);
            }
        }
        Files.createDirectory(real, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (chroot != null) {
            chrootDirs.add(real);
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
            Log.error("[pool " + pc.name() + "] cannot get uid for user '" + user + "'");
            return null;
        }
        int uid = account != null ? account.uid() : Integer.parseInt(user);
        int gid;
        String group = pc.group();
        if (group != null) {
            Integer g = isNumber(group) ? Integer.valueOf(group) : Accounts.groupId(group).orElse(null);
            if (g == null) {
                Log.error("[pool " + pc.name() + "] cannot get gid for group '" + group + "'");
                return null;
            }
            gid = g;
        } else if (account != null) {
            gid = account.gid();
        } else {
            Log.error("[pool " + pc.name() + "] cannot get gid for user '" + user + "'");
            return null;
        }
        return new WorkerSpec.Identity(uid, gid, account == null ? null : account.name(),
                account == null ? null : account.home());
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    private void reportDaemonStatus(boolean ok) {
        if (daemonStatus != null) {
            daemonStatus.println(ok ? "ready" : "failed");
            daemonStatus.flush();
        }
    }

    /**
     * After start-up, as php-fpm does: stray output to fd 2 lands in the error log
     * file when there is one, and a daemon keeps nothing of its caller's terminal.
     */
    private void detachStdio() {
        try {
            if (Log.file() != null) {
                Native.redirect(2, Log.file().toString(), Native.O_WRONLY | Native.O_APPEND | Native.O_CREAT);
            } else if (daemonStatus != null) {
                Native.redirect(2, "/dev/null", Native.O_WRONLY);
            }
            if (daemonStatus != null) {
                Native.redirect(1, "/dev/null", Native.O_WRONLY);
            }
        } catch (Native.NativeException e) {
            Log.warning("unable to redirect the master's stdio: " + e.getMessage());
        }
    }

    /** Runs on the signal thread. */
    private void onSignal(int signal) {
        switch (signal) {
            case Signals.SIGTERM, Signals.SIGINT -> {
                Log.notice("Terminating ...");
                enter(State.TERMINATING);
            }
            case Signals.SIGQUIT -> {
                Log.notice("Finishing ...");
                enter(State.FINISHING);
            }
            case Signals.SIGUSR1 -> {
                Log.reopen();
                fronts.forEach(PoolFront::reopenLogs);
            }
            case Signals.SIGUSR2, Signals.SIGHUP ->
                Log.warning("graceful reload (" + Signals.name(signal) + ") is not supported yet; signal ignored");
            default -> Log.debug("ignoring signal " + Signals.name(signal));
        }
    }

    private synchronized void enter(State next) {
        if (state == State.TERMINATING || state == next) {
            return;
        }
        State previous = state;
        state = next;
        if (previous == State.NORMAL) {
            stopRequested.countDown();
        }
        if (next == State.TERMINATING) {
            notifyAll();
        }
    }

    /** The ordered stop: no new connections, then requests in flight (finishing only), then workers. */
    private void stop() throws InterruptedException {
        listeners.forEach(Listener::close);
        if (state == State.FINISHING) {
            waitForRequestsInFlight();
        }
        pools.forEach(Pool::stopAccepting);
        pools.forEach(p -> p.signalAll(state == State.FINISHING ? Signals.SIGQUIT : Signals.SIGTERM));
        waitForWorkers(1000);
        pools.forEach(p -> p.signalAll(Signals.SIGKILL));
        waitForWorkers(2000);
        cleanUp();
    }

    /**
     * Graceful stop: waits while any pool has a busy worker or a queued request,
     * for at most process_control_timeout when it is set; a SIGTERM ends the wait.
     */
    private synchronized void waitForRequestsInFlight() throws InterruptedException {
        int timeout = config.global().processControlTimeout();
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000_000L : Long.MAX_VALUE;
        while (state == State.FINISHING && System.nanoTime() < deadline && pools.stream().anyMatch(Pool::isBusy)) {
            wait(50);
        }
    }

    private void waitForWorkers(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() < deadline && pools.stream().anyMatch(Pool::hasLiveWorkers)) {
            Thread.sleep(10);
        }
    }

    private void cleanUp() {
        listeners.forEach(Listener::close);
        fronts.forEach(PoolFront::close);
        Path pid = config.global().pid();
        if (pid != null) {
            try {
                PidFile.remove(pid);
            } catch (IOException e) {
                Log.error("Unable to remove the PID file (" + pid + ").: " + e.getMessage());
            }
        }
        List<Path> dirs = new ArrayList<>(chrootDirs);
        if (runtimeDir != null) {
            dirs.add(runtimeDir);
        }
        for (Path dir : dirs) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp directory left behind is harmless
            }
        }
    }
}
