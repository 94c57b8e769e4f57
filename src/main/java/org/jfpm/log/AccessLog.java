package org.jfpm.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * A pool's {@code access.log} (php-fpm's fpm_log.c): one line per request,
 * written by the master after the response in a single write() to a file
 * opened O_APPEND and created 0600; lines over 1024 bytes are cut with
 * php-fpm's NOTICE. {@link #reopen} serves SIGUSR1 (logrotate).
 *
 * <p>{@code access.suppress_path[]} (PHP 8.2, sapi/fpm/fpm/fpm_log.c) drops the line of a
 * successful, body-less GET or HEAD without a query whose URI is listed.
 */
public final class AccessLog {
    /** php-fpm's FPM_LOG_BUFFER. */
    static final int LINE_LIMIT = 1024;

    private final String pool;
    private final Path path;
    private final AccessLogFormat format;
    private final Set<String> suppressPaths;
    private final long masterPid = ProcessHandle.current().pid();
    private volatile FileChannel channel;

    private AccessLog(String pool, Path path, AccessLogFormat format, Set<String> suppressPaths, FileChannel channel) {
        this.pool = pool;
        this.path = path;
        this.format = format;
        this.suppressPaths = suppressPaths;
        this.channel = channel;
    }

    /** Opens (creating 0600) the pool's access log; the message of a failure is php-fpm's. */
    public static AccessLog open(String pool, String file, String format, List<String> suppressPaths)
            throws IOException {
        Path path = Path.of(file);
        return new AccessLog(pool, path, AccessLogFormat.compile(format == null ? AccessLogFormat.DEFAULT : format),
                Set.copyOf(suppressPaths), openChannel(path));
    }

    private static FileChannel openChannel(Path path) throws IOException {
        try {
            return FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new IOException("failed to open access log (" + path + "): " + e.getMessage(), e);
        }
    }

    public AccessLogFormat format() {
        return format;
    }

    /** Reopens the file under its name (SIGUSR1, after logrotate moved it); the old one is closed. */
    public void reopen() throws IOException {
        FileChannel old = channel;
        channel = openChannel(path);
        old.close();
    }

    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing on the way out
        }
    }

    /** Whether {@code access.suppress_path[]} drops this request's line. */
    boolean suppressed(AccessEntry e) {
        if (suppressPaths.isEmpty()) {
            return false;
        }
        String method = e.info().method();
        return e.info().queryString().isEmpty()
                && ("GET".equals(method) || "HEAD".equals(method))
                && e.status() >= 200 && e.status() <= 299
                && e.info().contentLength() == 0
                && e.info().scriptName() != null && suppressPaths.contains(e.info().scriptName());
    }

    /** Writes the request's line (unless suppressed) in one write(). */
    public void log(AccessEntry e) {
        if (suppressed(e)) {
            return;
        }
        long now = System.currentTimeMillis();
        String line = format.line(e, new AccessLogFormat.Context(pool, masterPid, ZoneId.systemDefault(), now));
        byte[] bytes = bytes(line);
        int len = bytes.length;
        if (len > LINE_LIMIT) {
            Log.notice("the log buffer is full (" + LINE_LIMIT + "). The access log request has been truncated.");
            len = LINE_LIMIT;
        }
        ByteBuffer buf = ByteBuffer.allocate(len + 1).put(bytes, 0, len).put((byte) '\n').flip();
        try {
            channel.write(buf);
        } catch (IOException e1) {
            new PoolLog(pool).error("unable to write to the access log " + path + ": " + e1.getMessage());
        }
    }

    /** Request data is one char per byte already; literal text of the format is UTF-8 from the config. */
    private static byte[] bytes(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) > 0xff) {
                return line.getBytes(StandardCharsets.UTF_8);
            }
        }
        return line.getBytes(StandardCharsets.ISO_8859_1);
    }
}
