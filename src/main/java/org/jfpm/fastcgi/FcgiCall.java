package org.jfpm.fastcgi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One small FastCGI request made by jfpm itself, as a web server would make it (a responder
 * request with no body), and its STDOUT read up to END_REQUEST: the pid question the master
 * asks a shared worker, and {@code jfpm ping}. Not for relaying: the answer is gathered whole.
 */
public final class FcgiCall {
    private static final int REQUEST_ID = 1;

    private FcgiCall() {}

    /** Thrown when no END_REQUEST came within the time given. */
    public static final class Timeout extends IOException {
        Timeout(String message) {
            super(message);
        }
    }

    /**
     * Sends the request on {@code ch} and returns its STDOUT (CGI head and body); the channel
     * is closed when the answer takes longer than {@code timeoutNanos}. {@code keepConn}
     * asks the application to keep the connection open afterwards.
     */
    public static byte[] stdout(SocketChannel ch, Map<String, String> params, boolean keepConn, long timeoutNanos)
            throws IOException {
        byte[] encoded = NameValuePairs.encode(params);
        ByteBuffer out = ByteBuffer.allocate(4 * Fcgi.HEADER_LEN + Fcgi.BEGIN_BODY_LEN
                + Records.paddedLength(encoded.length) + Fcgi.MAX_CONTENT);
        Records.beginRequest(out, REQUEST_ID, Fcgi.RESPONDER, keepConn ? Fcgi.KEEP_CONN : 0);
        Records.streamAll(out, Fcgi.PARAMS, REQUEST_ID, encoded);
        Records.header(out, Fcgi.PARAMS, REQUEST_ID, 0);
        Records.header(out, Fcgi.STDIN, REQUEST_ID, 0);
        out.flip();
        AtomicBoolean answered = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        CompletableFuture.delayedExecutor(timeoutNanos, TimeUnit.NANOSECONDS).execute(() -> {
            if (!answered.get()) {
                timedOut.set(true);
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing is the point
                }
            }
        });
        try {
            while (out.hasRemaining()) {
                ch.write(out);
            }
            return readStdout(ch);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new Timeout("no answer within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            throw e;
        } finally {
            answered.set(true);
        }
    }

    /** STDOUT up to END_REQUEST; other records (STDERR) are passed over. */
    private static byte[] readStdout(SocketChannel ch) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(2 * Fcgi.MAX_RECORD);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        while (true) {
            if (ch.read(in) < 0) {
                throw new IOException("the connection closed before the answer ended");
            }
            int p = 0;
            int n;
            while ((n = RecordScan.scan(in, p, in.position())) > 0) {
                int type = RecordScan.type(in, p);
                if (type == Fcgi.END_REQUEST) {
                    return stdout.toByteArray();
                }
                if (type == Fcgi.STDOUT) {
                    byte[] part = new byte[RecordScan.contentLength(in, p)];
                    in.get(p + Fcgi.HEADER_LEN, part);
                    stdout.writeBytes(part);
                }
                p += n;
            }
            if (n < 0) {
                throw new IOException("the answer is not FastCGI");
            }
            in.limit(in.position()).position(p).compact();
        }
    }
}
