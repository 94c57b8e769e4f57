package org.jfpm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfpm.log.PoolLog;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.PoolConfig;

/**
 * {@code jfpm ping -y CONF [--timeout SECONDS] [POOL]}: a health check without cgi-fcgi.
 * Each pool of the configuration that sets {@code ping.path} (or the one named) is asked
 * its ping path through its own listen socket, as a web server would ask it; exit 0 when
 * every one answered {@code ping.response} in time, 1 otherwise, with a line per pool.
 *
 * <p>{@code jfpm ping [--path P] [--response R] ADDRESS...} asks addresses instead, with
 * no configuration read ({@link RemoteTarget}: {@code 127.0.0.2:9001}, {@code
 * 127.0.0.2:9001/ping}, a unix socket path): a load balancer's or Kubernetes' check of one
 * host of a cluster. The path defaults to {@code /ping}, the response to {@code pong}
 * (php-fpm's {@code ping.response} default). php-fpm has no such command (it would print
 * its usage).
 */
final class Ping {
    static final int EXIT_FAILED = 1;
    private static final String USAGE = "Usage: jfpm ping [-y <file>] [-p <prefix>] [--timeout <seconds>] [<pool>]\n"
            + "       jfpm ping [--timeout <seconds>] [--path <path>] [--response <text>] <address>[<path>]...";
    private static final String DEFAULT_PATH = "/ping";
    private static final String DEFAULT_RESPONSE = "pong";

    private Ping() {}

    /** {@code args}: what follows {@code ping} on the command line. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Path conf = null;
        Path prefix = null;
        double timeoutSeconds = 1;
        String only = null;
        String path = null;
        String response = null;
        List<RemoteTarget> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-y", "--fpm-config" -> conf = Path.of(args.get(++i));
                    case "-p", "--prefix" -> prefix = Path.of(args.get(++i));
                    case "--timeout" -> timeoutSeconds = Double.parseDouble(args.get(++i));
                    case "--path" -> path = args.get(++i);
                    case "--response" -> response = args.get(++i);
                    default -> {
                        if (RemoteTarget.isAddress(a)) {
                            RemoteTarget target = RemoteTarget.parse(a).orElse(null);
                            if (target == null) {
                                err.println("jfpm ping: '" + a + "' is not an address (host:port, [ipv6]:port,"
                                        + " or a unix socket path)");
                                return Main.EXIT_USAGE;
                            }
                            addresses.add(target);
                            continue;
                        }
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
        long timeoutNanos = (long) (timeoutSeconds * 1e9);
        if (!addresses.isEmpty()) {
            if (conf != null || prefix != null || only != null) {
                err.println("jfpm ping: addresses and a configuration's pools cannot be asked together");
                err.println(USAGE);
                return Main.EXIT_USAGE;
            }
            return pingAddresses(addresses, path == null ? DEFAULT_PATH : path,
                    response == null ? DEFAULT_RESPONSE : response, timeoutNanos, out, err);
        }
        if (path != null || response != null) {
            err.println("jfpm ping: --path and --response go with addresses; a pool's come from its configuration");
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
        int failed = 0;
        for (PoolConfig pool : pools) {
            String verdict = ping(pool, timeoutNanos);
            if (verdict == null) {
                out.println(PoolLog.prefixed(pool.name(), pool.pingPath()) + " answered \"" + pool.pingResponse() + "\"");
            } else {
                err.println("jfpm ping: " + PoolLog.prefixed(pool.name(), verdict));
                failed++;
            }
        }
        return failed == 0 ? 0 : EXIT_FAILED;
    }

    private static int pingAddresses(List<RemoteTarget> targets, String defaultPath, String response,
                                     long timeoutNanos, PrintStream out, PrintStream err) {
        int failed = 0;
        for (RemoteTarget target : targets) {
            String path = target.pathOr(defaultPath);
            String verdict = ping(target.listen(), path, response, timeoutNanos);
            if (verdict == null) {
                out.println(target.label() + " " + path + " answered \"" + response + "\"");
            } else {
                err.println("jfpm ping: " + target.label() + " " + verdict);
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
        return ping(pool.listen(), pool.pingPath(), pool.pingResponse(), timeoutNanos);
    }

    private static String ping(String listen, String path, String response, long timeoutNanos) {
        try {
            String body = PoolCall.get(listen, path, "", timeoutNanos);
            if (!body.equals(response)) {
                return path + " answered \"" + abbreviate(body) + "\", not \"" + response + "\"";
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
