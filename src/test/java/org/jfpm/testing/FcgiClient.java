package org.jfpm.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;

/**
 * A FastCGI client for tests, playing the web server's part (nginx's
 * {@code fastcgi_pass}) over a unix socket or TCP, built on the project's own
 * codec. One request at a time, blocking I/O; a test bounds its time with
 * JUnit's {@code @Timeout}, which interrupts (and so closes) a blocked read.
 *
 * <p>{@link #request} sends BEGIN_REQUEST, PARAMS, an empty PARAMS, STDIN split
 * into records of {@link #stdinChunk} bytes and an empty STDIN, then reads
 * STDOUT and STDERR until END_REQUEST. {@link #send} and {@link #readRecord}
 * are the raw level for protocol tests (GET_VALUES, bad records, partial
 * bodies).
 */
public final class FcgiClient implements AutoCloseable {

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocate(Fcgi.MAX_RECORD * 2);
    private int rp;
    private int wp;

    private boolean keepConn = true;
    private int requestId = 1;
    private int stdinChunk = Fcgi.MAX_CONTENT;

    private FcgiClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static FcgiClient connect(Path unixSocket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(unixSocket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new FcgiClient(ch);
    }

    public static FcgiClient connect(String host, int port) throws IOException {
        return new FcgiClient(SocketChannel.open(new InetSocketAddress(host, port)));
    }

    /** Over a channel someone else connected (a worker's kept connection); {@link #close} closes it. */
    public static FcgiClient over(SocketChannel connected) {
        return new FcgiClient(connected);
    }

    /** FCGI_KEEP_CONN in the next BEGIN_REQUEST (default on, as nginx with {@code fastcgi_keep_conn on}). */
    public FcgiClient keepConn(boolean keep) {
        this.keepConn = keep;
        return this;
    }

    /** The request id of the next request (default 1, as nginx uses). */
    public FcgiClient requestId(int id) {
        this.requestId = id;
        return this;
    }

    /** Content bytes per STDIN record, 1 to 65535 (default 65535). */
    public FcgiClient stdinChunk(int bytes) {
        if (bytes < 1 || bytes > Fcgi.MAX_CONTENT) {
            throw new IllegalArgumentException("stdin chunk " + bytes);
        }
        this.stdinChunk = bytes;
        return this;
    }

    public SocketChannel channel() {
        return channel;
    }

    // ------------------------------------------------------------ requests

    /** One whole request; the body may be empty (a GET). */
    public Response request(Map<String, String> params, byte[] body) throws IOException {
        send(requestBytes(params, body));
        return readResponse();
    }

    /** The bytes of a whole request as {@link #request} sends them. */
    public byte[] requestBytes(Map<String, String> params, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(beginRequest(requestId, keepConn));
        out.writeBytes(stream(Fcgi.PARAMS, requestId, NameValuePairs.encode(params), Fcgi.MAX_CONTENT));
        out.writeBytes(stream(Fcgi.PARAMS, requestId, new byte[0], 1));
        out.writeBytes(stream(Fcgi.STDIN, requestId, body, stdinChunk));
        out.writeBytes(stream(Fcgi.STDIN, requestId, new byte[0], 1));
        return out.toByteArray();
    }

    public static byte[] beginRequest(int requestId, boolean keepConn) {
        ByteBuffer out = ByteBuffer.allocate(Records.paddedLength(Fcgi.BEGIN_BODY_LEN));
        Records.beginRequest(out, requestId, Fcgi.RESPONDER, keepConn ? Fcgi.KEEP_CONN : 0);
        return out.array();
    }

    /**
     * Content as records of at most {@code chunk} bytes each; empty content gives
     * the one empty record that ends a stream.
     */
    public static byte[] stream(int type, int requestId, byte[] content, int chunk) {
        if (content.length == 0) {
            ByteBuffer out = ByteBuffer.allocate(Fcgi.HEADER_LEN);
            Records.stream(out, type, requestId, content, 0, 0);
            return out.array();
        }
        int size = 0;
        for (int off = 0; off < content.length; off += chunk) {
            size += Records.paddedLength(Math.min(chunk, content.length - off));
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        for (int off = 0; off < content.length; off += chunk) {
            Records.stream(out, type, requestId, content, off, Math.min(chunk, content.length - off));
        }
        return out.array();
    }

    /** A GET_VALUES management record asking for these names (spec section 4.1). */
    public static byte[] getValues(String... names) {
        Map<String, String> query = new java.util.LinkedHashMap<>();
        for (String name : names) {
            query.put(name, "");
        }
        return stream(Fcgi.GET_VALUES, Fcgi.NULL_REQUEST_ID, NameValuePairs.encode(query), Fcgi.MAX_CONTENT);
    }

    /**
     * Reads the current request's STDOUT and STDERR until its END_REQUEST. A
     * record for another request id, a management record, or the connection
     * closing first is an IOException naming what came.
     */
    public Response readResponse() throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        while (true) {
            Record r = readRecord();
            if (r == null) {
                throw new EOFException("connection closed before END_REQUEST (stdout so far: "
                        + stdout.toString(StandardCharsets.ISO_8859_1) + ")");
            }
            if (r.requestId() != requestId) {
                throw new IOException("record " + r + " during request " + requestId);
            }
            switch (r.type()) {
                case Fcgi.STDOUT -> stdout.writeBytes(r.content());
                case Fcgi.STDERR -> stderr.writeBytes(r.content());
                case Fcgi.END_REQUEST -> {
                    if (r.content().length != Fcgi.END_BODY_LEN) {
                        throw new IOException("END_REQUEST of " + r.content().length + " bytes");
                    }
                    ByteBuffer end = ByteBuffer.wrap(r.content());
                    return Response.of(stdout.toByteArray(), stderr.toString(StandardCharsets.ISO_8859_1),
                            end.getInt(0), end.get(4) & 0xFF);
                }
                default -> throw new IOException("unexpected " + r + " during request " + requestId);
            }
        }
    }

    // ------------------------------------------------------------ raw level

    public void send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** One record as it came off the wire. */
    public record Record(int type, int requestId, byte[] content) {
        public String contentText() {
            return new String(content, StandardCharsets.ISO_8859_1);
        }

        /** The name-value pairs of a PARAMS or GET_VALUES(_RESULT) record; an IOException if malformed. */
        public Map<String, String> pairs() throws IOException {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            String error = NameValuePairs.decode(ByteBuffer.wrap(content), 0, content.length, (n, v) -> {
                m.put(n, v);
                return true;
            });
            if (error != null) {
                throw new IOException(error);
            }
            return m;
        }

        @Override
        public String toString() {
            return Fcgi.typeName(type) + " id " + requestId + " (" + content.length + " bytes)";
        }
    }

    /** The next record, or null if the peer closed the connection at a record boundary. */
    public Record readRecord() throws IOException {
        while (true) {
            int n = RecordScan.scan(in, rp, wp);
            if (n == RecordScan.BAD_VERSION) {
                throw new IOException("record with version " + (in.get(rp) & 0xFF));
            }
            if (n > 0) {
                byte[] content = new byte[RecordScan.contentLength(in, rp)];
                in.get(rp + Fcgi.HEADER_LEN, content);
                Record r = new Record(RecordScan.type(in, rp), RecordScan.requestId(in, rp), content);
                rp += n;
                return r;
            }
            if (fill() < 0) {
                if (rp == wp) {
                    return null;
                }
                throw new EOFException("connection closed inside a record (" + (wp - rp) + " bytes of it)");
            }
        }
    }

    /** Whether a byte can be read within the wait (already buffered bytes count), without reading it. */
    public boolean readable(Duration wait) throws IOException {
        if (wp > rp) {
            return true;
        }
        boolean ready;
        try (Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            ready = selector.select(Math.max(1, wait.toMillis())) > 0;
            key.cancel();
            selector.selectNow(); // deregister before going back to blocking mode
        } finally {
            channel.configureBlocking(true);
        }
        return ready;
    }

    private int fill() throws IOException {
        if (rp > 0) {
            in.put(0, in, rp, wp - rp);
            wp -= rp;
            rp = 0;
        }
        ByteBuffer view = in.slice(wp, in.capacity() - wp);
        int n = channel.read(view);
        if (n > 0) {
            wp += n;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    // ------------------------------------------------------------ response

    /**
     * A response as the web server sees it: the CGI header block of STDOUT
     * parsed (RFC 3875 section 6: {@code Status:} gives the status, 200 when
     * absent), the body after the blank line, and what came on STDERR.
     *
     * @param headers  header names case-insensitive, values in order (Set-Cookie may repeat)
     */
    public record Response(int status, Map<String, List<String>> headers, byte[] body, byte[] stdout,
                           String stderr, int appStatus, int protocolStatus) {

        static Response of(byte[] stdout, String stderr, int appStatus, int protocolStatus) throws IOException {
            int[] split = headerEnd(stdout);
            if (split == null) {
                throw new IOException("no blank line after the CGI headers in: "
                        + new String(stdout, StandardCharsets.ISO_8859_1));
            }
            String block = new String(stdout, 0, split[0], StandardCharsets.ISO_8859_1);
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            int status = 200;
            for (String line : block.split("\r?\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("CGI header line without a name: " + line);
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ", 2)[0]);
                }
            }
            headers.replaceAll((k, v) -> List.copyOf(v));
            byte[] body = java.util.Arrays.copyOfRange(stdout, split[1], stdout.length);
            return new Response(status, Collections.unmodifiableMap(headers), body, stdout, stderr,
                    appStatus, protocolStatus);
        }

        /** {end of the header block, start of the body}, for CRLF CRLF or LF LF; null if neither. */
        private static int[] headerEnd(byte[] b) {
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    if (i + 1 < b.length && b[i + 1] == '\n') {
                        return new int[] {i, i + 2};
                    }
                    if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
                        return new int[] {i, i + 3};
                    }
                }
            }
            return null;
        }

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.getFirst();
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
