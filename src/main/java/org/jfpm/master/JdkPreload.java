package org.jfpm.master;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.LocalDateTime;

/**
 * Readies, on a thread of its own, the parts of the JDK the master's start will use, while the
 * main thread reads the configuration: each is otherwise set up cold on the way to the first
 * request, one after the other (docs/performance.md, "Start-up"). The main thread takes over
 * any of them it reaches first; the JVM initializes a class once, whoever asks.
 *
 * <p>Nothing here has an effect outside the JVM: no file is written, no process started; the
 * two sockets are never bound.
 */
public final class JdkPreload {
    private JdkPreload() {}

    public static void startInBackground() {
        Thread.ofPlatform().daemon(true).name("jfpm-preload").start(JdkPreload::run);
    }

    /** In the order the start needs them. */
    private static void run() {
        LocalDateTime.now(); // the local time zone's rules, read from tzdb.dat: the first log line
        // the virtual thread scheduler: php-cgi -i's stderr reader, then the accept loops
        try {
            Thread.ofVirtual().name("jfpm-preload-virtual").start(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        // what ProcessBuilder.start asks after its first process has started
        System.getLogger("java.lang.ProcessBuilder").isLoggable(System.Logger.Level.DEBUG);
        // the JDK's unix socket classes (UnixDomainSockets' SecureRandom included) and a listening
        // socket's (Net, InetAddress, the extended socket options, which an option's first read
        // sets up): the pools' sockets and their workers', once php-cgi -i has answered
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).close();
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.getOption(StandardSocketOptions.SO_RCVBUF);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // the sockets are opened for real later, and say why they cannot be
        }
    }
}
