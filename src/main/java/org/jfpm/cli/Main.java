package org.jfpm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfpm.config.ConfigException;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.FpmConfig;
import org.jfpm.log.Log;
import org.jfpm.master.JdkPreload;
import org.jfpm.master.Master;
import org.jfpm.os.Native;

/**
 * php-fpm's command line (reference section 4): the same flags, long names,
 * usage text and exit codes (0 done, 64 usage error, 70 daemonizing failed,
 * 78 configuration or initialisation failure), read by {@link Options}.
 */
public final class Main {
    static final int EXIT_USAGE = 64;

    private final Options options;
    private final String[] argv;

    private Main(Options options, String[] argv) {
        this.options = options;
        this.argv = argv;
    }

    public static void main(String[] args) {
        shareTheMachine();
        int status = run(args);
        Log.flush();
        System.out.flush();
        System.err.flush();
        if (recordingAotCache()) {
            System.exit(status); // the JVM writes the cache in its own exit sequence
        }
        exitNow(status);
    }

    /** The property that sizes the virtual threads' scheduler, read when the first one starts. */
    static final String CARRIERS = "jdk.virtualThreadScheduler.parallelism";

    /**
     * The master's virtual threads run on half the processors (one on a machine of two or
     * three), unless {@code -D}{@value #CARRIERS} says otherwise. The JDK's default is one
     * carrier thread per processor, but the master shares the machine with the workers
     * and the web server, and each request it relays wakes a carrier: with fewer carriers
     * a busy one takes the next task from its queue instead of waking an idle one, which
     * costs two futex calls and a cache miss. On two processors one carrier cut the
     * master's CPU per request by 10-36% and raised requests per second by 3-12% in every
     * bench/run.sh scenario (docs/performance.md).
     */
    static void shareTheMachine() {
        if (System.getProperty(CARRIERS) == null) {
            System.setProperty(CARRIERS, Integer.toString(carriers(Runtime.getRuntime().availableProcessors())));
        }
    }

    static int carriers(int processors) {
        return Math.max(1, processors / 2);
    }

    /**
     * Exits without the JVM's exit sequence, which waits 300 ms for every thread blocked
     * in a system call to leave it (HotSpot's VM_Exit::wait_for_threads_in_native_to_block:
     * the virtual threads' poller in epoll_wait, the attach listener in accept, the signal
     * thread in read are always there). systemd and container runtimes wait for that on
     * every restart; php-fpm stops in a few milliseconds. Everything jfpm owns is closed
     * by now; the one file the JVM would remove on its way out, its attach socket
     * ({@code /tmp/.java_pid<pid>}, made at start because the launcher runs it with -Xrs),
     * is removed here.
     */
    private static void exitNow(int status) {
        try {
            Files.deleteIfExists(Path.of("/tmp/.java_pid" + ProcessHandle.current().pid()));
        } catch (IOException | RuntimeException ignored) {
            // a socket file left in /tmp; the next JVM with this pid replaces it
        }
        Native.exitNow(status);
    }

    /** bin/jfpm-aot's training run: the AOT cache is written by the JVM's exit sequence. */
    private static boolean recordingAotCache() {
        String opts = System.getenv("JFPM_JAVA_OPTS");
        return opts != null && (opts.contains("AOTCacheOutput") || opts.contains("AOTMode=record")
                || opts.contains("ArchiveClassesAtExit"));
    }

    /**
     * Links _exit on a second core, for a command that ends soon with {@link #exitNow}: the
     * first native call is slow to link (the JDK generates its stub). The master does it once
     * ready instead: nothing on its way to the first request needs a native call (bin/jfpm says
     * whether stderr is a terminal), and each is linked when first used, its shared workers'
     * exit watches included.
     */
    private static void linkInBackground() {
        Thread.ofPlatform().daemon(true).name("jfpm-link").start(Native::link);
    }

    static int run(String[] args) {
        // a thread that dies of a bug says so in the error log, in php-fpm's format
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> Log.alert("thread " + t.getName() + " died: " + e
                + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "")));
        // jfpm's own commands: php-fpm has none, it would print its usage for them
        if (args.length >= 1 && List.of("version", "top", "ping").contains(args[0])) {
            linkInBackground();
        }
        if (args.length == 1 && args[0].equals("version")) {
            return PhpInfo.printJfpmVersion(System.out);
        }
        if (args.length >= 1 && args[0].equals("top")) {
            return Top.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        if (args.length >= 1 && args[0].equals("ping")) {
            return Ping.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        Options options = Options.parse(args);
        if (options.action() == Options.Action.RUN && options.test() == 0) {
            JdkPreload.startInBackground();
        }
        if (options.action() != Options.Action.RUN || options.test() > 0) {
            linkInBackground();
        }
        if (options.action() == Options.Action.USAGE_ERROR) {
            // php-fpm says nothing but its usage (fpm_main.c, php_cgi_usage), exit 64
            Usage.print(System.out);
            return EXIT_USAGE;
        }
        try {
            return new Main(options, args).call();
        } catch (Exception e) {
            Log.alert("jfpm failed: " + e);
            return 70;
        }
    }

    private int call() throws Exception {
        switch (options.action()) {
            case HELP -> {
                Usage.print(System.out);
                return 0;
            }
            case VERSION, INFO, MODULES -> {
                String flag = switch (options.action()) {
                    case VERSION -> "-v";
                    case INFO -> "-i";
                    default -> "-m";
                };
                return PhpInfo.print(flag, options.phpIni(), options.noPhpIni(), options.defines(), System.out);
            }
            default -> { }
        }
        ConfigOptions configOptions = new ConfigOptions(options.fpmConfig(), options.prefix(), options.pid(),
                options.daemonize(), options.allowRoot(), options.phpIni(), options.noPhpIni(), options.defines(),
                options.test() > 0);
        FpmConfig config;
        try {
            config = ConfigLoader.load(configOptions);
        } catch (ConfigException e) {
            e.messages().forEach(m -> Log.log(m.level(), m.text()));
            return Master.EXIT_CONFIG;
        }
        if (options.test() > 0) {
            return ConfigTest.report(config, options.test() > 1);
        }
        boolean daemonChild = Daemon.isChild();
        if (config.global().daemonize() && !daemonChild) {
            linkInBackground();
            return Daemon.startChild(argv);
        }
        PrintStream status = daemonChild ? Daemon.statusStream() : null;
        return new Master(config, options.forceStderr(), status).run();
    }
}
