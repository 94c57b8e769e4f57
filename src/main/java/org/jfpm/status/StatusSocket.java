package org.jfpm.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jfpm.log.Log;
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
    private final ServerSocketChannel server;

    private StatusSocket(Pool pool, int listenQueueLen, Path path, ServerSocketChannel server) {
        this.pool = pool;
        this.listenQueueLen = listenQueueLen;
        this.path = path;
        this.server = server;
    }

    /** The socket's path for a pool whose worker sockets live in {@code socketDir}. */
    public static Path pathIn(Path socketDir) {
        return socketDir.resolve("status.sock");
    }

    /** Binds the pool's status socket, owned like the directory it is in; null (logged) when it cannot. */
    public static StatusSocket open(Pool pool, int listenQueueLen, Path socketDir) {
        Path path = pathIn(socketDir);
        try {
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path), 16);
            Path real = path.toRealPath();
            Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
            Files.setAttribute(real, "unix:uid", Files.getAttribute(real.getParent(), "unix:uid"));
            Files.setAttribute(real, "unix:gid", Files.getAttribute(real.getParent(), "unix:gid"));
            StatusSocket socket = new StatusSocket(pool, listenQueueLen, path, server);
            Thread.ofVirtual().name("fpm_get_status-" + pool.name()).start(socket::serve);
            return socket;
        } catch (IOException | UnsupportedOperationException e) {
            Log.warning("[pool " + pool.name() + "] fpm_get_status() will return false: cannot bind " + path
                    + ": " + e.getMessage());
            return null;
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String json = FpmGetStatus.json(StatusSnapshot.of(pool, listenQueueLen, System.currentTimeMillis()));
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
