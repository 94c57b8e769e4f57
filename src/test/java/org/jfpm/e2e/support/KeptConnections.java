package org.jfpm.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many connections to a listening unix socket are open right now, from
 * /proc/net/unix: the server side of an accepted connection carries the listener's
 * path and the state SS_CONNECTED (03). A front end that keeps its FastCGI
 * connections (nginx fastcgi_keep_conn, Apache enablereuse) leaves some open
 * between requests; one that does not leaves none.
 */
public final class KeptConnections {

    private KeptConnections() {}

    public static int to(Path socket) {
        String path = socket.toString();
        try {
            return (int) Files.readAllLines(Path.of("/proc/net/unix")).stream()
                    .map(line -> line.trim().split("\\s+"))
                    // Num RefCount Protocol Flags Type St Inode Path
                    .filter(f -> f.length >= 8 && f[7].equals(path) && f[5].equals("03"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/net/unix", e);
        }
    }
}
