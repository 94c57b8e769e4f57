package org.jfpm.cli;

import java.util.Optional;

/**
 * A pool named on the command line by its address rather than through a configuration
 * ({@code jfpm ping 127.0.0.2:9001}, {@code jfpm top 127.0.0.2:9001 127.0.0.3:9001}): a
 * host of a cluster, asked by a load balancer's or Kubernetes' health check, or by an
 * operator on another machine that has none of the hosts' configurations.
 *
 * <p>The forms: {@code HOST:PORT}, {@code [IPV6]:PORT}, either followed by the path to ask
 * ({@code 127.0.0.2:9001/status}), or an absolute unix socket path (the path to ask then
 * comes from {@code --path}). A pool name never has a colon in the commands that take one
 * and does not start with a slash, so an argument is an address exactly when it has a
 * colon or starts with a slash: {@code jfpm ping www} still names the pool www.
 *
 * @param listen the address as {@code PoolCall} takes it (a {@code listen} value)
 * @param path   the path to ask on it, or null when the argument named none
 */
record RemoteTarget(String listen, String path) {

    /** Whether a command-line argument is an address rather than a pool name. */
    static boolean isAddress(String arg) {
        return arg.startsWith("/") || arg.indexOf(':') >= 0;
    }

    /** The target an argument names, or empty when it is not a usable address. */
    static Optional<RemoteTarget> parse(String arg) {
        if (arg.startsWith("/")) {
            return Optional.of(new RemoteTarget(arg, null));
        }
        int colon = arg.startsWith("[") ? arg.indexOf("]:") + 1 : arg.indexOf(':');
        if (colon <= 0) {
            return Optional.empty(); // no host, or an IPv6 address without its brackets
        }
        int slash = arg.indexOf('/', colon);
        String port = slash < 0 ? arg.substring(colon + 1) : arg.substring(colon + 1, slash);
        if (port.isEmpty() || !port.chars().allMatch(Character::isDigit) || port.length() > 5
                || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return Optional.empty();
        }
        return Optional.of(slash < 0 ? new RemoteTarget(arg, null)
                : new RemoteTarget(arg.substring(0, slash), arg.substring(slash)));
    }

    /** The path to ask: the one the argument named, else {@code fallback}. */
    String pathOr(String fallback) {
        return path != null ? path : fallback;
    }

    /** How top and ping name this host: the address as given, without the path. */
    String label() {
        return listen;
    }
}
