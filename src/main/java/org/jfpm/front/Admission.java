package org.jfpm.front;

import org.jfpm.log.PoolLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * What a listener's connection must hold to be served, taken in this order: a
 * connection slot of the listener, room in the front's buffer budget
 * ({@link BufferPool}), then {@code listen.allowed_clients}. The slots are
 * {@code pm.max_children} plus the listen backlog: what php-fpm holds before the
 * kernel refuses (its children each hold one connection, the backlog queues the
 * rest). At the bound the accept loop waits, so later connections wait in the
 * kernel's queue as they would with php-fpm. It is also what FCGI_GET_VALUES
 * answers as FCGI_MAX_CONNS.
 *
 * <p>{@link #acquire} takes the slot and the room before accept; {@link #release}
 * gives both back, once per acquire: when the connection closes, or at once when
 * accept fails or the peer is refused.
 */
final class Admission {
    private final int maxConnections;
    private final Semaphore slots;
    /** Null when every peer is admitted (unix sockets, or the directive unset). */
    private final AllowedClients allowedClients;
    /** The listen address, for the log. */
    private final String address;
    private long fullSinceNanos;

    Admission(int maxConnections, AllowedClients allowedClients, String address) {
        this.maxConnections = maxConnections;
        this.slots = new Semaphore(maxConnections);
        this.allowedClients = allowedClients;
        this.address = address;
    }

    /** The most connections the listener keeps open at once (FCGI_MAX_CONNS). */
    int maxConnections() {
        return maxConnections;
    }

    /** A connection slot and a buffer's room, waiting for them if need be (saying so, once a minute at most). */
    void acquire(PoolLog log) throws InterruptedException {
        if (!slots.tryAcquire()) {
            long now = System.nanoTime();
            if (fullSinceNanos == 0 || now - fullSinceNanos > TimeUnit.MINUTES.toNanos(1)) {
                fullSinceNanos = now;
                log.warning(maxConnections + " connections open on " + address
                        + " (pm.max_children + listen backlog), new ones wait in the kernel's queue");
            }
            slots.acquire();
        }
        try {
            BufferPool.reserve();
        } catch (InterruptedException e) {
            slots.release();
            throw e;
        }
    }

    /** Gives back what {@link #acquire} took. */
    void release() {
        BufferPool.unreserve(1);
        slots.release();
    }

    /**
     * listen.allowed_clients: a refused peer is closed without a byte, as php-fpm does,
     * and what {@link #acquire} took for it is given back.
     */
    boolean admits(SocketChannel ch, PoolLog log) {
        if (allowedClients == null) {
            return true;
        }
        InetAddress peer = null;
        try {
            if (ch.getRemoteAddress() instanceof InetSocketAddress inet) {
                peer = inet.getAddress();
            }
        } catch (IOException e) {
            // gone already: refused below like any unknown peer
        }
        if (peer != null && allowedClients.admits(peer)) {
            return true;
        }
        log.error("Connection disallowed: IP address '"
                + (peer == null ? "?" : peer.getHostAddress()) + "' has been dropped.");
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was sent; nothing to report
        }
        release();
        return false;
    }
}
