package org.jfpm.os;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * The file descriptor number of one of the process's listening sockets, found the way
 * ss(8) finds sockets: the socket's inode in /proc/net/unix or /proc/net/tcp{,6}
 * (proc(5)), then the descriptor in /proc/self/fd that links to it. The JDK does not
 * tell a channel's descriptor; php-fpm's log names it (fpm_sockets.c,
 * {@code using inherited socket fd=%d, "%s"}).
 */
public final class SocketFds {
    private SocketFds() {}

    /** The descriptor listening on {@code local}, or empty when none is found. */
    public static OptionalInt listening(SocketAddress local) {
        try {
            String inode = switch (local) {
                case UnixDomainSocketAddress u -> unixInode(u.getPath());
                case InetSocketAddress i -> tcpInode(i.getPort());
                default -> null;
            };
            return inode == null ? OptionalInt.empty() : fdLinkingTo("socket:[" + inode + "]");
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** php-fpm's text for a TCP address: the address as inet_ntop writes it, a colon, the port. */
    public static String text(InetSocketAddress a) {
        InetAddress address = a.getAddress();
        String host = address instanceof Inet6Address ? compressed(address.getHostAddress()) : address.getHostAddress();
        return host + ":" + a.getPort();
    }

    /** Java writes every group of an IPv6 address; inet_ntop shortens the longest run of zero groups to "::". */
    static String compressed(String full) {
        int scope = full.indexOf('%');
        String[] groups = (scope < 0 ? full : full.substring(0, scope)).split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        String head = String.join(":", List.of(groups).subList(0, bestStart));
        String tail = String.join(":", List.of(groups).subList(bestStart + bestLength, groups.length));
        return head + "::" + tail;
    }

    private static String unixInode(Path path) throws IOException {
        // Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is a listening socket
        try (Stream<String> lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.skip(1).map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length >= 8 && f[7].equals(path.toString()) && f[3].equals("00010000"))
                    .map(f -> f[6]).findFirst().orElse(null);
        }
    }

    private static String tcpInode(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            // sl local_address rem_address st ... inode; st 0A is LISTEN
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                String inode = lines.skip(1).map(l -> l.trim().split("\\s+"))
                        .filter(f -> f.length >= 10 && f[1].endsWith(hexPort) && f[3].equals("0A"))
                        .map(f -> f[9]).findFirst().orElse(null);
                if (inode != null) {
                    return inode;
                }
            }
        }
        return null;
    }

    private static OptionalInt fdLinkingTo(String target) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals(target);
                } catch (IOException e) {
                    return false;
                }
            }).mapToInt(fd -> Integer.parseInt(fd.getFileName().toString())).findFirst();
        }
    }
}
