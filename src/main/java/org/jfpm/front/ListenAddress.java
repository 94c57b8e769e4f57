package org.jfpm.front;

import java.nio.file.Path;

/**
 * A pool's {@code listen} value as php-fpm reads it (fpm_sockets.c): {@code ADDR:PORT},
 * {@code [IPV6]:PORT}, a bare {@code PORT} (all interfaces), else a unix socket path.
 *
 * @param host  host or address without brackets, null for all interfaces; null for unix
 * @param port  TCP port, or -1 for a unix socket
 * @param path  the unix socket path, or null for TCP
 */
public record ListenAddress(String text, String host, int port, Path path) {

    public boolean isUnix() {
        return path != null;
    }

    /** Thrown with php-fpm's message, e.g. {@code invalid port value '70000'}. */
    public static final class InvalidAddress extends Exception {
        public InvalidAddress(String message) {
            super(message);
        }
    }

    public static ListenAddress parse(String listen) throws InvalidAddress {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            if (!listen.isEmpty() && listen.chars().allMatch(Character::isDigit)) {
                return new ListenAddress(listen, null, port(listen), null);
            }
            return new ListenAddress(listen, null, -1, Path.of(listen));
        }
        String host = listen.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new ListenAddress(listen, host.isEmpty() || host.equals("*") ? null : host,
                port(listen.substring(colon + 1)), null);
    }

    private static int port(String text) throws InvalidAddress {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = 0;
        }
        if (port < 1 || port > 65535) {
            throw new InvalidAddress("invalid port value '" + text + "'");
        }
        return port;
    }
}
