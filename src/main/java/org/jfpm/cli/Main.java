package org.jfpm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jfpm.config.ConfigException;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.FpmConfig;
import org.jfpm.log.Log;
import org.jfpm.master.Master;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * php-fpm's command line (reference section 4): the same flags, long names,
 * usage text and exit codes (0 done, 64 usage error, 70 daemonizing failed,
 * 78 configuration or initialisation failure).
 */
@Command(name = "jfpm")
public final class Main implements Callable<Integer> {
    static final int EXIT_USAGE = 64;

    @Option(names = {"-c", "--php-ini"}, paramLabel = "<path>|<file>")
    Path phpIni;
    @Option(names = {"-n", "--no-php-ini"})
    boolean noPhpIni;
    @Option(names = {"-d", "--define"}, paramLabel = "foo[=bar]")
    List<String> defines = new ArrayList<>();
    @Option(names = {"-e", "--profile-info"})
    boolean profileInfo;
    @Option(names = {"-h", "-?", "--help", "--usage"})
    boolean help;
    @Option(names = {"-i", "--info"})
    boolean info;
    @Option(names = {"-m", "--modules"})
    boolean modules;
    @Option(names = {"-v", "--version"})
    boolean version;
    @Option(names = {"-p", "--prefix"}, paramLabel = "<dir>")
    Path prefix;
    @Option(names = {"-g", "--pid"}, paramLabel = "<file>")
    Path pid;
    @Option(names = {"-y", "--fpm-config"}, paramLabel = "<file>")
    Path fpmConfig;
    @Option(names = {"-t", "--test"})
    boolean[] test = new boolean[0];
    @Option(names = {"-O", "--force-stderr"})
    boolean forceStderr;
    @Option(names = {"-R", "--allow-to-run-as-root"})
    boolean allowRoot;

    /** -D and -F: the last one given wins, so they are recorded in order. */
    private Boolean daemonize;

    @Option(names = {"-D", "--daemonize"})
    void daemonize(boolean ignored) {
        daemonize = Boolean.TRUE;
    }

    @Option(names = {"-F", "--nodaemonize"})
    void noDaemonize(boolean ignored) {
        daemonize = Boolean.FALSE;
    }

    private String[] argv = new String[0];

    public static void main(String[] args) {
        int status = run(args);
        Log.flush();
        System.exit(status);
    }

    static int run(String[] args) {
        // a thread that dies of a bug says so in the error log, in php-fpm's format
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> Log.alert("thread " + t.getName() + " died: " + e
                + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : "")));
        Main main = new Main();
        main.argv = args;
        CommandLine cl = new CommandLine(main)
                .setPosixClusteredShortOptionsAllowed(true)
                .setUnmatchedOptionsArePositionalParams(false)
                .setParameterExceptionHandler((ex, a) -> {
                    System.err.println("jfpm: " + ex.getMessage());
                    Usage.print(System.out);
                    return EXIT_USAGE;
                })
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    Log.alert("jfpm failed: " + ex);
                    return 70;
                });
        return cl.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        if (help) {
            Usage.print(System.out);
            return 0;
        }
        if (version || info || modules) {
            return PhpInfo.print(version ? "-v" : info ? "-i" : "-m", System.out);
        }
        ConfigOptions options = new ConfigOptions(fpmConfig, prefix, pid, daemonize, allowRoot, phpIni, noPhpIni,
                defines);
        FpmConfig config;
        try {
            config = ConfigLoader.load(options);
        } catch (ConfigException e) {
            e.messages().forEach(m -> Log.log(m.level(), m.text()));
            return Master.EXIT_CONFIG;
        }
        if (test.length > 0) {
            return ConfigTest.report(config, test.length > 1);
        }
        boolean daemonChild = Daemon.isChild();
        if (config.global().daemonize() && !daemonChild) {
            return Daemon.startChild(argv);
        }
        PrintStream status = daemonChild ? Daemon.statusStream() : null;
        return new Master(config, forceStderr, status).run();
    }
}
