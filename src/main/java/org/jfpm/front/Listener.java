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
import java.nio.channels.ClosedChannelException;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jfpm.log.Log;
import org.jfpm.pool.Pool;

/**
 * A pool's listening socket (php-fpm's fpm_sockets.c) and its accept loop:
 * each accepted connection is served by a {@link FrontConnection} on its own
 * virtual thread.
 *
 * <p>Admission, in the accept loop, in this order: a connection slot of this
 * listener, room in the front's buffer budget ({@link BufferPool}), then
 * {@code listen.allowed_clients}. The slots are {@code pm.max_children} plus the
 * listen backlog: what php-fpm holds before the kernel refuses (its children each
 * hold one connection, the backlog queues the rest). At the bound the loop stops
 * accepting, so later connections wait in the kernel's queue as they would with
 * php-fpm. It is also what FCGI_GET_VALUES answers as FCGI_MAX_CONNS.
 *
 * <p>A request head must arrive within {@link #HEAD_TIMEOUT_SECONDS} seconds: from
 * the accept for a new connection (php-fpm's worker waits 5 s for the first bytes),
 * from its first byte for a later request of a kept connection. A kept connection
 * may stay idle between requests as long as the web server likes, as with php-fpm.
 * One sweeper per listener closes the late ones once a second.
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
    private final int maxConnections;
    private final Semaphore slots;
    /** Null when every peer is admitted (unix sockets, or the directive unset). */
    private final AllowedClients allowedClients;
    private final Set<FrontConnection> open = ConcurrentHashMap.newKeySet();
    private long fullSinceNanos;

    private Listener(PoolFront front, boolean statusListen, ListenAddress address, ServerSocketChannel server) {
        this.statusListen = statusListen;
        this.binding = binding(front, statusListen);
        this.address = address;
        this.server = server;
        this.maxConnections = front.pool().config().pmMaxChildren() + front.backlog();
        this.slots = new Semaphore(maxConnections);
        this.allowedClients = address.isUnix() ? null
                : AllowedClients.parse(front.pool().name(), front.pool().config().listenAllowedClients());
    }

    /** The most connections this listener keeps open at once (FCGI_MAX_CONNS). */
    int maxConnections() {
        return maxConnections;
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
        Pool pool = front.pool();
        ListenAddress address;
        try {
            address = ListenAddress.parse(listen);
        } catch (ListenAddress.InvalidAddress e) {
            throw new BindFailure(e.getMessage());
        }
        int backlog = backlog(pool.config().listenBacklog());
        ServerSocketChannel server;
        try {
            if (address.isUnix()) {
                server = bindUnix(address.path(), backlog);
                applyOwnership(pool, address.path());
            } else {
                server = bindTcp(address, backlog);
            }
        } catch (IOException e) {
            throw new BindFailure("unable to bind listening socket for address '" + listen + "': "
                    + describe(e));
        }
        return new Listener(front, statusListen, address, server);
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

    private static ServerSocketChannel bindUnix(Path path, int backlog) throws IOException, BindFailure {
        if (Files.exists(path)) {
            // a live socket belongs to another server; a dead one is replaced (php-fpm does the same)
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new BindFailure("Another FPM instance seems to already listen on " + path);
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
                admit();
            } catch (InterruptedException e) {
                return;
            }
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                connectionEnded();
                return;
            } catch (IOException e) {
                connectionEnded();
                if (!closed) {
                    Log.error("[pool " + pool().name() + "] accept() failed on " + address.text() + ": " + e.getMessage());
                    pause();
                }
                continue;
            }
            if (allowedClients != null && !admitted(ch)) {
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

    /** A connection slot and a buffer's room, waiting for them if need be (saying so, once a minute at most). */
    private void admit() throws InterruptedException {
        if (!slots.tryAcquire()) {
            long now = System.nanoTime();
            if (fullSinceNanos == 0 || now - fullSinceNanos > TimeUnit.MINUTES.toNanos(1)) {
                fullSinceNanos = now;
                Log.warning("[pool " + pool().name() + "] " + maxConnections + " connections open on " + address.text()
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

    /** Gives back what {@link #admit} took: called once per admitted connection when it closes. */
    void connectionEnded() {
        BufferPool.unreserve(1);
        slots.release();
    }

    void closed(FrontConnection connection) {
        open.remove(connection);
        connectionEnded();
    }

    /** listen.allowed_clients: a refused peer is closed without a byte, as php-fpm does. */
    private boolean admitted(SocketChannel ch) {
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
        Log.error("[pool " + pool().name() + "] Connection disallowed: IP address '"
                + (peer == null ? "?" : peer.getHostAddress()) + "' has been dropped.");
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was sent; nothing to report
        }
        connectionEnded();
        return false;
    }

    /** Once a second: connections whose request head is overdue are closed. */
    private void sweepLoop() {
        while (!closed) {
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
