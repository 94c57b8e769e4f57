package org.jfpm.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jfpm.pool.Pool;

/**
 * Where {@code fpm_get_status()} in a worker gets its answer: a unix socket in the
 * pool's private socket directory (only the pool's user and the master can reach
 * it), answering each connection with {@link FpmGetStatus}'s JSON and closing.
 * php-fpm's workers read the scoreboard's shared memory instead; php-cgi workers
 * share nothing with the master, so they ask it.
 */
public final class StatusSocket {
    private final Pool pool;
    private final int listenQueueLen;
    private final Path path;
    private volatile ServerSocketChannel server;

    private StatusSocket(Pool pool, int listenQueueLen, Path path) {
        this.pool = pool;
        this.listenQueueLen = listenQueueLen;
        this.path = path;
    }

    /** The socket's path for a pool whose worker sockets live in {@code socketDir}. */
    public static Path pathIn(Path socketDir) {
        return socketDir.resolve("status.sock");
    }

    /** Binds the pool's status socket, owned like the directory it is in; null (logged) when it cannot. */
    public static StatusSocket open(Pool pool, int listenQueueLen, Path socketDir) {
        StatusSocket socket = new StatusSocket(pool, listenQueueLen, pathIn(socketDir));
        try {
            socket.bind();
            return socket;
        } catch (IOException | UnsupportedOperationException e) {
            pool.log().warning("fpm_get_status() will return false: cannot bind " + socket.path
                    + ": " + e.getMessage());
            return null;
        }
    }

    /** Binds the path (again) and serves it; a previous channel is closed, its thread ends. */
    private void bind() throws IOException {
        ServerSocketChannel next = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            next.bind(UnixDomainSocketAddress.of(path), 16);
            Path real = path.toRealPath();
            Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
            Files.setAttribute(real, "unix:uid", Files.getAttribute(real.getParent(), "unix:uid"));
            Files.setAttribute(real, "unix:gid", Files.getAttribute(real.getParent(), "unix:gid"));
        } catch (IOException | UnsupportedOperationException e) {
            next.close();
            throw e;
        }
        ServerSocketChannel old = server;
        server = next;
        if (old != null) {
            old.close();
        }
        Thread.ofVirtual().name("fpm_get_status-" + pool.name()).start(() -> serve(next));
    }

    /**
     * Binds the socket again, with a WARNING, when its file was removed by something else
     * (its directory recreated by the master's runtime guard).
     */
    public void restore() {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) || !server.isOpen()) {
            return;
        }
        try {
            bind();
            pool.log().warning("the fpm_get_status() socket " + path
                    + " was removed by another process: bound again");
        } catch (IOException | UnsupportedOperationException e) {
            pool.log().warning("fpm_get_status() will return false: cannot bind " + path
                    + " again: " + e.getMessage());
        }
    }

    private void serve(ServerSocketChannel server) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String json = FpmGetStatus.json(StatusSnapshot.of(pool, listenQueueLen, System.currentTimeMillis(), false));
                ByteBuffer out = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            } catch (IOException e) {
                if (!server.isOpen()) {
                    return;
                }
            }
        }
    }

    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the runtime directory goes at exit anyway
        }
    }
}
