package org.jfpm.front;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jfpm.log.Log;
import org.jfpm.pool.Pool;

/**
 * A pool's listening socket ({@link ListenSocket} opens it) and its accept loop:
 * each accepted connection is served by a {@link FrontConnection} on its own
 * virtual thread. Before each accept the loop takes the connection's
 * {@link Admission}, which the connection gives back when it closes.
 *
 * <p>A request head must arrive within {@link #HEAD_TIMEOUT_SECONDS} seconds: from
 * the accept for a new connection (php-fpm's worker waits 5 s for the first bytes),
 * from its first byte for a later request of a kept connection. A kept connection
 * may stay idle between requests as long as the web server likes, as with php-fpm.
 * One sweeper per listener closes the late ones once a second.
 *
 * <p>A graceful stop {@link #drain drains} the listener: the listening socket closes
 * (a web server's connect is refused, so it tries its next upstream), kept connections
 * idle between requests close at once, and the others after their request in flight.
 */
public final class Listener {
    static final int HEAD_TIMEOUT_SECONDS = 5;
    static final long HEAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(HEAD_TIMEOUT_SECONDS);

    /**
     * What the listener serves: the pool's front and the router for this socket.
     * Swapped whole by {@link #switchTo} on a reload; each connection reads it
     * again at the start of every request, so kept connections follow the reload.
     */
    record Binding(PoolFront front, Router router) {
        Pool pool() {
            return front.pool();
        }
    }

    private final boolean statusListen;
    private final ListenAddress address;
    private final ServerSocketChannel server;
    private volatile Binding binding;
    private volatile boolean closed;
    private volatile boolean draining;
    private final Admission admission;
    private final Set<FrontConnection> open = ConcurrentHashMap.newKeySet();

    private Listener(PoolFront front, boolean statusListen, ListenAddress address, ServerSocketChannel server) {
        this.statusListen = statusListen;
        this.binding = binding(front, statusListen);
        this.address = address;
        this.server = server;
        this.admission = new Admission(front.pool().config().pmMaxChildren() + front.backlog(),
                address.isUnix() ? null
                        : AllowedClients.parse(front.pool().log(), front.pool().config().listenAllowedClients()),
                address.text());
    }

    /** The most connections this listener keeps open at once (FCGI_MAX_CONNS). */
    int maxConnections() {
        return admission.maxConnections();
    }

    private static Binding binding(PoolFront front, boolean statusListen) {
        return new Binding(front, statusListen ? Router.forStatusListen(front.pool(), front.backlog())
                : Router.forPool(front.pool(), front.backlog()));
    }

    Binding binding() {
        return binding;
    }

    /**
     * Serves another pool from now on (a reload): the socket stays open, so no
     * connection is refused; requests already queued or running finish where they are.
     */
    public void switchTo(PoolFront front) {
        binding = binding(front, statusListen);
    }

    /** The {@code listen} (or {@code pm.status_listen}) value this socket was bound for. */
    public String listenText() {
        return address.text();
    }

    /**
     * php-fpm's line for a socket a reload keeps (fpm_sockets.c): {@code using inherited
     * socket fd=8, "127.0.0.1:9000"}, the address as the socket is bound.
     */
    public String inheritedLine() {
        java.net.SocketAddress local;
        try {
            local = server.getLocalAddress();
        } catch (java.io.IOException e) {
            local = null;
        }
        String key = local instanceof java.net.InetSocketAddress inet ? org.jfpm.os.SocketFds.text(inet)
                : address.isUnix() ? address.path().toString() : address.text();
        int fd = local == null ? -1 : org.jfpm.os.SocketFds.listening(local).orElse(-1);
        return "using inherited socket fd=" + fd + ", \"" + key + "\"";
    }

    public boolean isStatusListen() {
        return statusListen;
    }

    /** Thrown with php-fpm's message for a socket that cannot be set up. */
    public static final class BindFailure extends Exception {
        public BindFailure(String message) {
            super(message);
        }
    }

    /**
     * Binds the pool's {@code listen} address with its backlog; a unix socket gets
     * listen.owner, listen.group and listen.mode.
     */
    public static Listener bind(PoolFront front) throws BindFailure {
        return bind(front, front.pool().config().listen(), false);
    }

    /**
     * Binds {@code pm.status_listen}: status and ping of the pool, answered by the
     * master, with the pool's socket ownership and mode (php-fpm's hidden
     * {@code <pool>_status} pool copies them). Other requests reaching it are
     * served by the pool's own workers.
     */
    public static Listener bindStatusListen(PoolFront front) throws BindFailure {
        return bind(front, front.pool().config().pmStatusListen(), true);
    }

    private static Listener bind(PoolFront front, String listen, boolean statusListen) throws BindFailure {
        ListenAddress address;
        try {
            address = ListenAddress.parse(listen);
        } catch (ListenAddress.InvalidAddress e) {
            throw new BindFailure(e.getMessage());
        }
        ServerSocketChannel server = ListenSocket.open(front.pool(), address, listen);
        return new Listener(front, statusListen, address, server);
    }

    public Pool pool() {
        return binding.pool();
    }

    public ListenAddress address() {
        return address;
    }

    /** Accepts connections until {@link #close}; runs on its own thread. */
    public void start() {
        Thread.ofVirtual().name("accept-" + pool().name()).start(this::acceptLoop);
        Thread.ofVirtual().name("head-timer-" + pool().name()).start(this::sweepLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                admission.acquire(pool().log());
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                admission.release();
                return;
            } catch (IOException e) {
                admission.release();
                if (!closed) {
                    pool().log().error("accept() failed on " + address.text() + ": " + e.getMessage());
                    pause();
                }
                continue;
            }
            if (!admission.admits(ch, pool().log())) {
                continue;
            }
            String peer = peerName(ch);
            String peerIp = address.isUnix() ? null : peer.substring(0, Math.max(0, peer.lastIndexOf(':')));
            try {
                if (!address.isUnix()) {
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
            } catch (IOException ignored) {
                // the peer is already gone; the connection fails on its first read
            }
            FrontConnection connection = new FrontConnection(ch, this, peer, peerIp);
            open.add(connection);
            Thread.ofVirtual().name("front").start(connection);
        }
    }

    /** A connection has closed: what its admission took is given back. */
    void closed(FrontConnection connection) {
        open.remove(connection);
        admission.release();
    }

    /** Once a second: connections whose request head is overdue are closed. */
    private void sweepLoop() {
        while (!closed || (draining && !open.isEmpty())) { // a drain waits for late heads too
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (FrontConnection c : open) {
                c.closeIfHeadOverdue(now);
            }
        }
    }

    private String peerName(SocketChannel ch) {
        if (address.isUnix()) {
            return address.text();
        }
        try {
            SocketAddress remote = ch.getRemoteAddress();
            return remote instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() + ":" + inet.getPort()
                    : String.valueOf(remote);
        } catch (IOException e) {
            return "?";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // e.g. out of file descriptors: do not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A graceful stop (SIGQUIT): stops accepting as {@link #close} does; kept connections
     * idle between requests close now, the others once their request in flight is
     * answered (each checks {@link #draining} before it waits for its next request).
     * Nothing that reached a worker is cut, and nothing cut reached a worker.
     */
    public void drain() {
        draining = true;
        close();
        for (FrontConnection c : open) {
            c.closeIfIdle();
        }
    }

    boolean draining() {
        return draining;
    }

    /** Whether a connection accepted here is still open (a drain waits for none). */
    public boolean hasOpenConnections() {
        return !open.isEmpty();
    }

    /** Stops accepting; a unix socket file is removed. Open connections are not touched. */
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is best effort on the way out
        }
        if (address.isUnix()) {
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException e) {
                Log.warning("unable to remove the socket " + address.path() + ": " + e.getMessage());
            }
        }
    }
}
