package org.jfpm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.config.ConfigException;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.PoolConfig;
import org.jfpm.fastcgi.FcgiCall;
import org.jfpm.front.ListenAddress;

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
        FpmConfig config;
        try {
            config = ConfigLoader.load(new ConfigOptions(conf, prefix, null, false, true, null, false, List.of()));
        } catch (ConfigException e) {
            e.messages().forEach(m -> err.println("jfpm ping: " + m.text()));
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
        ListenAddress address;
        try {
            address = ListenAddress.parse(pool.listen());
        } catch (ListenAddress.InvalidAddress e) {
            return "listen = " + pool.listen() + ": " + e.getMessage();
        }
        SocketAddress target = address.isUnix() ? UnixDomainSocketAddress.of(address.path())
                : new InetSocketAddress(address.host() == null ? "127.0.0.1" : address.host(), address.port());
        Map<String, String> params = new LinkedHashMap<>();
        params.put("GATEWAY_INTERFACE", "CGI/1.1");
        params.put("REQUEST_METHOD", "GET");
        params.put("SCRIPT_NAME", pool.pingPath());
        params.put("SCRIPT_FILENAME", pool.pingPath());
        params.put("REQUEST_URI", pool.pingPath());
        params.put("QUERY_STRING", "");
        params.put("SERVER_PROTOCOL", "HTTP/1.1");
        params.put("REMOTE_ADDR", "127.0.0.1");
        try (SocketChannel ch = SocketChannel.open(address.isUnix() ? StandardProtocolFamily.UNIX
                : ((InetSocketAddress) target).getAddress() instanceof java.net.Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET)) {
            ch.connect(target);
            String answer = new String(FcgiCall.stdout(ch, params, false, timeoutNanos), StandardCharsets.UTF_8);
            int blank = answer.indexOf("\r\n\r\n");
            String body = blank < 0 ? answer : answer.substring(blank + 4);
            if (!body.equals(pool.pingResponse())) {
                return pool.pingPath() + " answered \"" + abbreviate(body) + "\", not \"" + pool.pingResponse() + "\"";
            }
            return null;
        } catch (FcgiCall.Timeout e) {
            return pool.pingPath() + " at " + pool.listen() + ": " + e.getMessage();
        } catch (IOException e) {
            return "cannot ask " + pool.listen() + ": " + e.getMessage();
        }
    }

    private static String abbreviate(String text) {
        String line = text.replace("\r", "\\r").replace("\n", "\\n");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
