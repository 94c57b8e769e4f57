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
import org.jfpm.master.Master;
import org.jfpm.os.Native;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * php-fpm's command line (reference section 4): the same flags, long names,
 * usage text and exit codes (0 done, 64 usage error, 70 daemonizing failed,
 * 78 configuration or initialisation failure).
 *
 * <p>The options are declared with picocli's programmatic model rather than its
 * annotations: measured, the annotations' reflection cost a tenth of a second of
 * every start (ready to serve within a second is a goal).
 */
public final class Main {
    static final int EXIT_USAGE = 64;

    /** php-fpm's options; built when needed, so that the native linking starts first. */
    private static CommandSpec spec() {
        return CommandSpec.create().name("jfpm")
            .addOption(option(Path.class, "<path>|<file>", "-c", "--php-ini"))
            .addOption(option(boolean.class, null, "-n", "--no-php-ini"))
            .addOption(option(String[].class, "foo[=bar]", "-d", "--define"))
            .addOption(option(boolean.class, null, "-e", "--profile-info"))
            .addOption(option(boolean.class, null, "-h", "-?", "--help", "--usage"))
            .addOption(option(boolean.class, null, "-i", "--info"))
            .addOption(option(boolean.class, null, "-m", "--modules"))
            .addOption(option(boolean.class, null, "-v", "--version"))
            .addOption(option(Path.class, "<dir>", "-p", "--prefix"))
            .addOption(option(Path.class, "<file>", "-g", "--pid"))
            .addOption(option(Path.class, "<file>", "-y", "--fpm-config"))
            .addOption(option(boolean[].class, null, "-t", "--test"))
            .addOption(option(boolean.class, null, "-O", "--force-stderr"))
            .addOption(option(boolean.class, null, "-R", "--allow-to-run-as-root"))
            .addOption(option(boolean.class, null, "-D", "--daemonize"))
            .addOption(option(boolean.class, null, "-F", "--nodaemonize"));
    }

    private static OptionSpec option(Class<?> type, String label, String... names) {
        OptionSpec.Builder b = OptionSpec.builder(names).type(type);
        if (type == boolean[].class) {
            b.arity("0"); // -tt: each -t is one more true
        }
        return (label != null ? b.paramLabel(label) : b).build();
    }

    private final Path phpIni;
    private final boolean noPhpIni;
    private final List<String> defines;
    private final boolean help;
    private final boolean info;
    private final boolean modules;
    private final boolean version;
    private final Path prefix;
    private final Path pid;
    private final Path fpmConfig;
    private final int test;
    private final boolean forceStderr;
    private final boolean allowRoot;
    /** -D and -F: the last one given wins; null when neither was. */
    private final Boolean daemonize;
    private final String[] argv;

    private Main(ParseResult r, String[] argv) {
        phpIni = r.matchedOptionValue("-c", null);
        noPhpIni = r.hasMatchedOption("-n");
        defines = List.of(r.matchedOptionValue("-d", new String[0]));
        help = r.hasMatchedOption("-h");
        info = r.hasMatchedOption("-i");
        modules = r.hasMatchedOption("-m");
        version = r.hasMatchedOption("-v");
        prefix = r.matchedOptionValue("-p", null);
        pid = r.matchedOptionValue("-g", null);
        fpmConfig = r.matchedOptionValue("-y", null);
        test = r.matchedOptionValue("-t", new boolean[0]).length;
        forceStderr = r.hasMatchedOption("-O");
        allowRoot = r.hasMatchedOption("-R");
        Boolean last = null;
        for (ArgSpec arg : r.matchedArgs()) {
            if (arg instanceof OptionSpec o && (o.shortestName().equals("-D") || o.shortestName().equals("-F"))) {
                last = o.shortestName().equals("-D");
            }
        }
        daemonize = last;
        this.argv = argv;
    }

    public static void main(String[] args) {
        int status = run(args);
        Log.flush();
        System.out.flush();
        System.err.flush();
        if (recordingAotCache()) {
            System.exit(status); // the JVM writes the cache in its own exit sequence
        }
        exitNow(status);
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

    static int run(String[] args) {
        // a thread that dies of a bug says so in the error log, in php-fpm's format
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> Log.alert("thread " + t.getName() + " died: " + e
                + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "")));
        // Linking the native calls (signalfd, kill, ...) costs a tenth of a second of start-up:
        // done on a second core while the command line and the configuration are read
        Thread.ofPlatform().daemon(true).name("jfpm-link").start(Native::link);
        // jfpm's own commands: php-fpm has none, it would print its usage for them
        if (args.length == 1 && args[0].equals("version")) {
            return PhpInfo.printJfpmVersion(System.out);
        }
        if (args.length >= 1 && args[0].equals("top")) {
            return Top.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        if (args.length >= 1 && args[0].equals("ping")) {
            return Ping.run(List.of(args).subList(1, args.length), System.out, System.err);
        }
        ParseResult parsed;
        try {
            parsed = new CommandLine(spec()).setPosixClusteredShortOptionsAllowed(true)
                    .setUnmatchedOptionsArePositionalParams(false).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            // php-fpm says nothing but its usage (fpm_main.c, php_cgi_usage), exit 64
            Usage.print(System.out);
            return EXIT_USAGE;
        }
        try {
            return new Main(parsed, args).call();
        } catch (Exception e) {
            Log.alert("jfpm failed: " + e);
            return 70;
        }
    }

    private int call() throws Exception {
        if (help) {
            Usage.print(System.out);
            return 0;
        }
        if (version || info || modules) {
            return PhpInfo.print(version ? "-v" : info ? "-i" : "-m", phpIni, noPhpIni, defines, System.out);
        }
        ConfigOptions options = new ConfigOptions(fpmConfig, prefix, pid, daemonize, allowRoot, phpIni, noPhpIni,
                defines, test > 0);
        FpmConfig config;
        try {
            config = ConfigLoader.load(options);
        } catch (ConfigException e) {
            e.messages().forEach(m -> Log.log(m.level(), m.text()));
            return Master.EXIT_CONFIG;
        }
        if (test > 0) {
            return ConfigTest.report(config, test > 1);
        }
        boolean daemonChild = Daemon.isChild();
        if (config.global().daemonize() && !daemonChild) {
            return Daemon.startChild(argv);
        }
        PrintStream status = daemonChild ? Daemon.statusStream() : null;
        return new Master(config, forceStderr, status).run();
    }
}
