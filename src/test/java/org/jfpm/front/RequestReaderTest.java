package org.jfpm.front;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.Records;
import org.jfpm.request.RequestInfo;
import org.junit.jupiter.api.Test;

/**
 * The request head as the web server sends it, fed to a {@link RequestReader} over a
 * channel that hands out scripted reads: every split of the stream, and the answers
 * the reader writes back for records that end or refuse a request.
 */
class RequestReaderTest {

    /** A reader over {@code chunks}, one per read(); what it writes is kept. */
    private static final class Reader extends RequestReader {
        final ScriptedChannel script;

        Reader(byte[]... chunks) {
            this(new ScriptedChannel(chunks));
        }

        private Reader(ScriptedChannel script) {
            super(script, 0);
            this.script = script;
            takeBuffer();
        }
    }

    // ---- fixtures ----

    private static byte[] begin(int id, int role, int flags) {
        ByteBuffer b = ByteBuffer.allocate(16);
        Records.beginRequest(b, id, role, flags);
        return b.array();
    }

    private static byte[] record(int type, int id, byte[] content) {
        ByteBuffer b = ByteBuffer.allocate(Records.paddedLength(content.length));
        Records.stream(b, type, id, content, 0, content.length);
        return Arrays.copyOf(b.array(), b.position());
    }

    private static byte[] empty(int type, int id) {
        ByteBuffer b = ByteBuffer.allocate(Fcgi.HEADER_LEN);
        Records.header(b, type, id, 0);
        return b.array();
    }

    private static byte[] endRequest(int id, int protocolStatus) {
        ByteBuffer b = ByteBuffer.allocate(16);
        Records.endRequest(b, id, 0, protocolStatus);
        return b.array();
    }

    private static byte[] params(String... pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < pairs.length; i += 2) {
            NameValuePairs.encode(out, pairs[i], pairs[i + 1]);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** nginx's shape: BEGIN_REQUEST (keep the connection), two PARAMS, the empty PARAMS, the empty STDIN. */
    private static final byte[] HEAD = concat(
            begin(1, Fcgi.RESPONDER, Fcgi.KEEP_CONN),
            record(Fcgi.PARAMS, 1, params("REQUEST_METHOD", "GET", "SCRIPT_NAME", "/index.php")),
            record(Fcgi.PARAMS, 1, params("SCRIPT_FILENAME", "/var/www/index.php")),
            empty(Fcgi.PARAMS, 1),
            empty(Fcgi.STDIN, 1));

    // ---- a well-formed head ----

    @Test
    void aHeadIsReadWhereverTheStreamIsSplit() throws Exception {
        for (int cut = 0; cut <= HEAD.length; cut++) {
            Reader r = new Reader(Arrays.copyOfRange(HEAD, 0, cut), Arrays.copyOfRange(HEAD, cut, HEAD.length));
            assertThat(r.readBegin()).as("cut at %d", cut).isTrue();
            assertThat(r.requestId).isEqualTo(1);
            assertThat(r.keepConn).isTrue();
            assertThat(r.readParams()).as("cut at %d", cut).isTrue();
            RequestInfo info = r.params(false);
            assertThat(info.malformed()).isFalse();
            assertThat(info.method()).isEqualTo("GET");
            assertThat(info.scriptName()).isEqualTo("/index.php");
            assertThat(info.scriptFilename()).isEqualTo("/var/www/index.php");
            r.skipBody();
            assertThat(r.readBegin()).as("then a clean end of stream").isFalse();
            assertThat(r.script.written()).as("nothing written back").isEmpty();
        }
    }

    @Test
    void aHeadIsReadOneByteAtATime() throws Exception {
        byte[][] bytes = new byte[HEAD.length][];
        for (int i = 0; i < HEAD.length; i++) {
            bytes[i] = new byte[] {HEAD[i]};
        }
        Reader r = new Reader(bytes);
        assertThat(r.readBegin()).isTrue();
        assertThat(r.readParams()).isTrue();
        assertThat(r.params(false).scriptName()).isEqualTo("/index.php");
    }

    @Test
    void withoutKeepConnTheConnectionIsNotKept() throws Exception {
        Reader r = new Reader(begin(3, Fcgi.RESPONDER, 0));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.requestId).isEqualTo(3);
        assertThat(r.keepConn).isFalse();
    }

    // ---- records that end or refuse a request ----

    @Test
    void anUnknownRoleIsRefusedAndTheNextRequestRead() throws Exception {
        Reader r = new Reader(concat(begin(1, 7, 0), begin(2, Fcgi.RESPONDER, 0)));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.requestId).isEqualTo(2);
        assertThat(r.script.written()).isEqualTo(endRequest(1, Fcgi.UNKNOWN_ROLE));
    }

    @Test
    void anAbortDuringParamsEndsTheRequest() throws Exception {
        Reader r = new Reader(concat(begin(1, Fcgi.RESPONDER, Fcgi.KEEP_CONN),
                record(Fcgi.PARAMS, 1, params("A", "1")), empty(Fcgi.ABORT_REQUEST, 1)));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.readParams()).isFalse();
        assertThat(r.begin).isEqualTo(-1);
        assertThat(r.script.written()).isEqualTo(endRequest(1, Fcgi.REQUEST_COMPLETE));
    }

    @Test
    void aSecondBeginRequestIsRefusedAndCutOutOfTheHead() throws Exception {
        Reader r = new Reader(concat(begin(1, Fcgi.RESPONDER, 0),
                record(Fcgi.PARAMS, 1, params("SCRIPT_NAME", "/a.php")), begin(2, Fcgi.RESPONDER, 0),
                record(Fcgi.PARAMS, 1, params("REQUEST_METHOD", "POST")), empty(Fcgi.PARAMS, 1)));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.readParams()).isTrue();
        assertThat(r.script.written()).isEqualTo(endRequest(2, Fcgi.CANT_MPX_CONN));
        RequestInfo info = r.params(false);
        assertThat(info.malformed()).as("the head holds its own records only").isFalse();
        assertThat(info.scriptName()).isEqualTo("/a.php");
        assertThat(info.method()).isEqualTo("POST");
    }

    @Test
    void aLateAbortOrEmptyStdinBetweenRequestsIsSkipped() throws Exception {
        Reader r = new Reader(concat(empty(Fcgi.ABORT_REQUEST, 1), empty(Fcgi.STDIN, 1), begin(2, Fcgi.RESPONDER, 0)));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.requestId).isEqualTo(2);
        assertThat(r.script.written()).isEmpty();
    }

    // ---- a graceful stop (SIGQUIT) and a kept connection ----

    /** The first request of a kept connection, read to its end: the connection then waits idle. */
    private static Reader servedOnce(byte[]... next) throws Exception {
        byte[][] chunks = new byte[next.length + 1][];
        chunks[0] = HEAD;
        System.arraycopy(next, 0, chunks, 1, next.length);
        Reader r = new Reader(chunks);
        r.headExpected();
        assertThat(r.readBegin()).isTrue();
        r.requestBegun();
        assertThat(r.readParams()).isTrue();
        r.headDone();
        r.skipBody();
        r.headExpected();
        return r;
    }

    @Test
    void aDrainClosesAKeptConnectionIdleBetweenRequests() throws Exception {
        Reader r = servedOnce(HEAD);
        assertThat(r.closeIfIdle()).isTrue();
        assertThatThrownBy(r::readBegin).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    @Test
    void aNextRequestReadWhileADrainClosesTheConnectionGoesNowhere() throws Exception {
        Reader r = servedOnce(HEAD);
        // the read has taken the next head's bytes when the drain closes the connection
        r.script.duringNextRead(() -> assertThat(r.closeIfIdle()).isTrue());
        assertThatThrownBy(r::readBegin).isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    @Test
    void aNextRequestWhoseFirstByteCameFirstIsNotClosedByADrain() throws Exception {
        Reader r = servedOnce(Arrays.copyOf(HEAD, 1), Arrays.copyOfRange(HEAD, 1, HEAD.length));
        AtomicBoolean closed = new AtomicBoolean(true);
        // the drain comes while the rest of the head is read, after its first byte
        r.script.duringNextRead(() -> r.script.duringNextRead(() -> closed.set(r.closeIfIdle())));
        assertThat(r.readBegin()).isTrue();
        assertThat(r.readParams()).isTrue();
        assertThat(closed).as("the drain closed it").isFalse();
    }

    // ---- records that close the connection, with the reason the log gives ----

    private static String failure(ThrowingReads reads, byte[]... chunks) {
        Reader r = new Reader(chunks);
        try {
            reads.run(r);
        } catch (ProtocolException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no ProtocolException");
    }

    private interface ThrowingReads {
        void run(Reader r) throws IOException, ProtocolException;
    }

    @Test
    void eachMisplacedRecordClosesTheConnectionNamingItAndWhere() {
        assertThat(failure(RequestReader::readBegin, empty(Fcgi.STDOUT, 1)))
                .isEqualTo("unexpected STDOUT record for request 1 outside a request");
        assertThat(failure(r -> {
            r.readBegin();
            r.readParams();
        }, begin(1, Fcgi.RESPONDER, 0), empty(Fcgi.STDIN, 1)))
                .isEqualTo("unexpected STDIN record for request 1 while reading PARAMS of request 1");
        assertThat(failure(r -> {
            r.readBegin();
            r.readParams();
            r.skipBody();
        }, concat(begin(1, Fcgi.RESPONDER, 0), empty(Fcgi.PARAMS, 1), empty(Fcgi.ABORT_REQUEST, 1))))
                .isEqualTo("unexpected ABORT_REQUEST record for request 1 while reading the body of request 1");
    }

    @Test
    void malformedFramingClosesTheConnection() {
        byte[] badVersion = begin(1, Fcgi.RESPONDER, 0);
        badVersion[0] = 2;
        assertThat(failure(RequestReader::readBegin, badVersion)).isEqualTo("record of FastCGI version 2, expected 1");
        byte[] shortBegin = record(Fcgi.BEGIN_REQUEST, 1, new byte[4]);
        assertThat(failure(RequestReader::readBegin, shortBegin))
                .isEqualTo("BEGIN_REQUEST with a body of 4 bytes instead of 8");
        assertThat(failure(RequestReader::readBegin, Arrays.copyOf(HEAD, 5)))
                .isEqualTo("connection closed in the middle of a record");
        assertThat(failure(r -> {
            r.readBegin();
            r.readParams();
        }, begin(1, Fcgi.RESPONDER, 0))).isEqualTo("connection closed in the middle of a request");
    }

    @Test
    void paramsPastTheBoundCloseTheConnection() {
        byte[] chunk = record(Fcgi.PARAMS, 1, params("X", "x".repeat(60_000)));
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(begin(1, Fcgi.RESPONDER, 0));
        for (int sent = 0; sent <= RequestReader.MAX_PARAMS; sent += 60_000) {
            head.writeBytes(chunk);
        }
        assertThat(failure(r -> {
            r.readBegin();
            r.readParams();
        }, head.toByteArray())).isEqualTo("PARAMS larger than " + RequestReader.MAX_PARAMS + " bytes");
    }

    /** Hands out one chunk per read (end of stream after the last); keeps what is written. */
    private static final class ScriptedChannel extends SocketChannel {
        private final ArrayDeque<ByteBuffer> reads = new ArrayDeque<>();
        private final ByteArrayOutputStream writes = new ByteArrayOutputStream();
        /** Runs inside the next read, after the bytes are taken and before they are returned. */
        private Runnable duringNextRead;

        ScriptedChannel(byte[]... chunks) {
            super(SelectorProvider.provider());
            for (byte[] c : chunks) {
                if (c.length > 0) {
                    reads.add(ByteBuffer.wrap(c));
                }
            }
        }

        byte[] written() {
            return writes.toByteArray();
        }

        void duringNextRead(Runnable action) {
            duringNextRead = action;
        }

        @Override
        public int read(ByteBuffer dst) {
            ByteBuffer next = reads.peek();
            if (next == null) {
                return -1;
            }
            int n = Math.min(dst.remaining(), next.remaining());
            dst.put(dst.position(), next, next.position(), n);
            dst.position(dst.position() + n);
            next.position(next.position() + n);
            if (!next.hasRemaining()) {
                reads.poll();
            }
            Runnable action = duringNextRead;
            duringNextRead = null;
            if (action != null) {
                action.run();
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            byte[] bytes = new byte[n];
            src.get(bytes);
            writes.writeBytes(bytes);
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public SocketChannel bind(SocketAddress local) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> SocketChannel setOption(SocketOption<T> name, T value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> T getOption(SocketOption<T> name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return Set.of();
        }

        @Override
        public SocketChannel shutdownInput() {
            return this;
        }

        @Override
        public SocketChannel shutdownOutput() {
            return this;
        }

        @Override
        public java.net.Socket socket() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public boolean isConnectionPending() {
            return false;
        }

        @Override
        public boolean connect(SocketAddress remote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public SocketAddress getRemoteAddress() {
            return null;
        }

        @Override
        public SocketAddress getLocalAddress() {
            return null;
        }

        @Override
        protected void implCloseSelectableChannel() {
            // nothing to release
        }

        @Override
        protected void implConfigureBlocking(boolean block) {
            // always blocking
        }
    }
}
