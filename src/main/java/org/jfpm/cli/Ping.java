package org.jfpm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.PoolConfig;

/**
 * {@code jfpm ping -y CONF [--timeout SECONDS] [POOL]}: a health check without cgi-fcgi.
 * Each pool of the configuration that sets {@code ping.path} (or the one named) is asked
 * its ping path through its own listen socket, as a web server would ask it; exit 0 when
 * every one answered {@code ping.response} in time, 1 otherwise, with a line per pool.
 * php-fpm has no such command (it would print its usage).
 */
final class Ping {
    static final int EXIT_FAILED = 1;
    private static final String USAGE = "Usage: jfpm ping [-y <file>] [-p <prefix>] [--timeout <seconds>] [<pool>]";

    private Ping() {}

    /** {@code args}: what follows {@code ping} on the command line. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Path conf = null;
        Path prefix = null;
        double timeoutSeconds = 1;
        String only = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-y", "--fpm-config" -> conf = Path.of(args.get(++i));
                    case "-p", "--prefix" -> prefix = Path.of(args.get(++i));
                    case "--timeout" -> timeoutSeconds = Double.parseDouble(args.get(++i));
                    default -> {
                        if (a.startsWith("-") || only != null) {
                            err.println(USAGE);
                            return Main.EXIT_USAGE;
                        }
                        only = a;
                    }
                }
            }
        } catch (IndexOutOfBoundsException | NumberFormatException e) {
            err.println(USAGE);
            return Main.EXIT_USAGE;
        }
        FpmConfig config = CommandConfig.load(conf, prefix, "jfpm ping", err);
        if (config == null) {
            return EXIT_FAILED;
        }
        List<PoolConfig> pools = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            if (only == null ? pool.pingPath() != null : pool.name().equals(only)) {
                pools.add(pool);
            }
        }
        if (pools.isEmpty()) {
            err.println("jfpm ping: " + (only == null ? "no pool sets ping.path" : "no pool named '" + only + "'"));
            return EXIT_FAILED;
        }
        long timeoutNanos = (long) (timeoutSeconds * 1e9);
        int failed = 0;
        for (PoolConfig pool : pools) {
            String verdict = ping(pool, timeoutNanos);
            if (verdict == null) {
                out.println("[pool " + pool.name() + "] " + pool.pingPath() + " answered \"" + pool.pingResponse() + "\"");
            } else {
                err.println("jfpm ping: [pool " + pool.name() + "] " + verdict);
                failed++;
            }
        }
        return failed == 0 ? 0 : EXIT_FAILED;
    }

    /** Null when the pool answered its ping response in time, else why not. */
    static String ping(PoolConfig pool, long timeoutNanos) {
        if (pool.pingPath() == null) {
            return "sets no ping.path";
        }
        try {
            String body = PoolCall.get(pool.listen(), pool.pingPath(), "", timeoutNanos);
            if (!body.equals(pool.pingResponse())) {
                return pool.pingPath() + " answered \"" + abbreviate(body) + "\", not \"" + pool.pingResponse() + "\"";
            }
            return null;
        } catch (PoolCall.Failed e) {
            return e.getMessage();
        }
    }

    private static String abbreviate(String text) {
        String line = text.replace("\r", "\\r").replace("\n", "\\n");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
