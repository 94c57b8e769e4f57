package org.jfpm.front;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;
import org.jfpm.pool.Pool;

/**
 * Opens a pool's listening socket, as php-fpm's fpm_sockets.c does: a TCP address
 * with SO_REUSEADDR, or a unix socket with listen.owner, listen.group and
 * listen.mode, whose stale file is replaced and whose live one is refused.
 */
final class ListenSocket {
    private ListenSocket() {}

    /** Binds {@code address} (the pool's {@code listen} text is {@code listen}) with the pool's backlog. */
    static ServerSocketChannel open(Pool pool, ListenAddress address, String listen) throws Listener.BindFailure {
        int backlog = backlog(pool.config().listenBacklog());
        try {
            if (address.isUnix()) {
                ServerSocketChannel server = bindUnix(address.path(), backlog);
                applyOwnership(pool, address.path());
                return server;
            }
            return bindTcp(address, backlog);
        } catch (IOException e) {
            throw new Listener.BindFailure("unable to bind listening socket for address '" + listen + "': "
                    + describe(e));
        }
    }

    /** {@code listen.backlog = -1} means the kernel's somaxconn, as listen(2) caps it anyway. */
    static int backlog(int configured) {
        if (configured > 0) {
            return configured;
        }
        // read as a stream: /proc files report a size of 0, which Files.readString trusts
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
            return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 4096;
        }
    }

    private static ServerSocketChannel bindUnix(Path path, int backlog) throws IOException, Listener.BindFailure {
        if (Files.exists(path)) {
            // a live socket belongs to another server; a dead one is replaced (php-fpm does the same)
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new Listener.BindFailure("Another FPM instance seems to already listen on " + path);
            } catch (IOException dead) {
                Files.deleteIfExists(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path), backlog);
        return server;
    }

    private static ServerSocketChannel bindTcp(ListenAddress address, int backlog) throws IOException {
        SocketAddress socketAddress;
        if (address.host() == null) {
            socketAddress = new InetSocketAddress(address.port()); // the wildcard; dual-stack where IPv6 exists
        } else {
            InetAddress host;
            try {
                host = InetAddress.getByName(address.host());
            } catch (UnknownHostException e) {
                throw new IOException("getaddrinfo: Name or service not known", e);
            }
            socketAddress = new InetSocketAddress(host, address.port());
        }
        ServerSocketChannel server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
            server.bind(socketAddress, backlog);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static void applyOwnership(Pool pool, Path path) throws IOException {
        Set<PosixFilePermission> mode = mode(pool.config().listenMode());
        Files.setPosixFilePermissions(path, mode);
        String owner = pool.config().listenOwner();
        String group = pool.config().listenGroup();
        if (owner == null && group == null) {
            return;
        }
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (owner != null) {
            UserPrincipal user = lookup.lookupPrincipalByName(owner);
            view.setOwner(user);
        }
        if (group != null) {
            GroupPrincipal g = lookup.lookupPrincipalByGroupName(group);
            view.setGroup(g);
        }
    }

    /** {@code 0660} → rw-rw----. */
    static Set<PosixFilePermission> mode(String octal) {
        int bits = octal == null || octal.isEmpty() ? 0660 : Integer.parseInt(octal, 8);
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < order.length; i++) {
            if ((bits & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        return set;
    }

    private static String describe(IOException e) {
        if (e instanceof BindException && e.getMessage() != null && e.getMessage().contains("in use")) {
            return "Address already in use (98)";
        }
        return e.getMessage();
    }
}
