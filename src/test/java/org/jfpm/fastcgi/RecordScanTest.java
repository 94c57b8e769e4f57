package org.jfpm.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RecordScan over exact bytes (FCGI_Header, spec section 3.3), and the same
 * stream of records delivered in every possible split (style.md point 7): a
 * reader that scans as bytes arrive must see the same records whatever the
 * read boundaries were.
 */
class RecordScanTest {

    /** STDOUT, id 0x0102, content "hello", padding 3. */
    private static final byte[] HELLO = Hex.bytes(
            "01"            // version
          + "06"            // type FCGI_STDOUT
          + "01 02"         // requestId 0x0102
          + "00 05"         // contentLength 5
          + "03"            // paddingLength 3
          + "00"            // reserved
          + "68 65 6c 6c 6f" // "hello"
          + "00 00 00");    // padding

    @Test
    void readsEveryHeaderField() {
        ByteBuffer buf = ByteBuffer.wrap(HELLO);
        assertThat(RecordScan.scan(buf, 0, HELLO.length)).isEqualTo(16);
        assertThat(RecordScan.recordLength(buf, 0)).isEqualTo(16);
        assertThat(RecordScan.type(buf, 0)).isEqualTo(Fcgi.STDOUT);
        assertThat(RecordScan.requestId(buf, 0)).isEqualTo(0x0102);
        assertThat(RecordScan.contentLength(buf, 0)).isEqualTo(5);
        assertThat(RecordScan.paddingLength(buf, 0)).isEqualTo(3);
    }

    @Test
    void unsignedFieldsAboveThe7BitRange() {
        byte[] record = new byte[8 + 0xFFFF + 0xFF];
        System.arraycopy(Hex.bytes(
                "01"        // version
              + "ff"        // type 255: unsigned, not -1
              + "ff fe"     // requestId 65534: unsigned
              + "ff ff"     // contentLength 65535 (Fcgi.MAX_CONTENT)
              + "ff"        // paddingLength 255: allowed by the spec, not only 0-7
              + "00"), 0, record, 0, 8);
        ByteBuffer buf = ByteBuffer.wrap(record);
        assertThat(RecordScan.type(buf, 0)).isEqualTo(255);
        assertThat(RecordScan.requestId(buf, 0)).isEqualTo(65534);
        assertThat(RecordScan.contentLength(buf, 0)).isEqualTo(65535);
        assertThat(RecordScan.paddingLength(buf, 0)).isEqualTo(255);
        assertThat(RecordScan.scan(buf, 0, record.length)).isEqualTo(Fcgi.MAX_RECORD);
        assertThat(RecordScan.scan(buf, 0, record.length - 1)).isEqualTo(RecordScan.INCOMPLETE);
    }

    @Test
    void incompleteUntilTheLastPaddingByte() {
        ByteBuffer buf = ByteBuffer.wrap(HELLO);
        for (int have = 0; have < HELLO.length; have++) {
            // header (0-7 bytes), content and padding are all required before the record counts
            assertThat(RecordScan.scan(buf, 0, have)).as("%d bytes", have).isEqualTo(RecordScan.INCOMPLETE);
        }
        assertThat(RecordScan.scan(buf, 0, HELLO.length)).isEqualTo(HELLO.length);
    }

    @ParameterizedTest(name = "version byte {0}")
    @ValueSource(strings = {"00", "02", "7f", "80", "ff", "47"}) // "47": 'G' of an HTTP "GET" sent to a FastCGI port
    void badVersionAsSoonAsTheHeaderIsThere(String version) {
        byte[] header = Hex.bytes(version + "01 00 01 00 08 00 00");
        ByteBuffer buf = ByteBuffer.wrap(header);
        assertThat(RecordScan.scan(buf, 0, 8)).isEqualTo(RecordScan.BAD_VERSION);
        // fewer than 8 bytes: no verdict yet, the header is not complete
        assertThat(RecordScan.scan(buf, 0, 7)).isEqualTo(RecordScan.INCOMPLETE);
    }

    @Test
    void httpRequestSentToTheFastCgiPortIsBadVersion() {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(RecordScan.scan(ByteBuffer.wrap(http), 0, http.length)).isEqualTo(RecordScan.BAD_VERSION);
    }

    @Test
    void scansAtAnOffsetAndStopsAtTheLimit() {
        byte[] buf = new byte[3 + HELLO.length + 5];
        System.arraycopy(HELLO, 0, buf, 3, HELLO.length);
        ByteBuffer b = ByteBuffer.wrap(buf);
        assertThat(RecordScan.scan(b, 3, 3 + HELLO.length)).isEqualTo(16);
        assertThat(RecordScan.scan(b, 3, 3 + HELLO.length - 1)).isEqualTo(RecordScan.INCOMPLETE);
        assertThat(RecordScan.requestId(b, 3)).isEqualTo(0x0102);
    }

    @Test
    void setRequestIdRewritesOnlyTheIdBytes() {
        byte[] copy = HELLO.clone();
        ByteBuffer buf = ByteBuffer.wrap(copy);
        RecordScan.setRequestId(buf, 0, 0xBEEF);
        assertThat(Hex.spaced(copy)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 06 be ef 00 05 03 00"   // only bytes 2-3 (requestId) changed
              + "68 65 6c 6c 6f 00 00 00")));
        assertThat(RecordScan.requestId(buf, 0)).isEqualTo(0xBEEF);
    }

    @ParameterizedTest(name = "padding {0}")
    @CsvSource({"0", "1", "7", "8", "255"})
    void paddingOtherThanTheWritersIsHonoured(int padding) {
        // the spec lets a peer pad to any length up to 255; the scan must skip exactly that many bytes
        byte[] stream = new byte[8 + 2 + padding + HELLO.length];
        System.arraycopy(Hex.bytes("01 05 00 01 00 02"), 0, stream, 0, 6); // STDIN, id 1, length 2
        stream[6] = (byte) padding;
        stream[8] = 'o';
        stream[9] = 'k';
        System.arraycopy(HELLO, 0, stream, 10 + padding, HELLO.length);
        List<Rec> recs = scanAll(stream, stream.length);
        assertThat(recs).containsExactly(new Rec(Fcgi.STDIN, 1, "6f 6b"), new Rec(Fcgi.STDOUT, 0x0102, "68 65 6c 6c 6f"));
    }

    // ---------------------------------------------------------------- splits

    /** A record as the reader saw it: type, id and content as hex (records compare by value). */
    record Rec(int type, int requestId, String content) {}

    /** The reader's last entry when the scan said BAD_VERSION (declared before EXPECTED, which uses it). */
    private static final Rec BAD = new Rec(-1, -1, "BAD_VERSION");

    /**
     * A conversation as a front connection would receive it: several records of
     * different types, ids, lengths and paddings (including an empty one and one
     * longer than a typical read), ending with a record of a bad version.
     */
    private static byte[] conversation() {
        ByteBuffer out = ByteBuffer.allocate(4096);
        Records.beginRequest(out, 1, Fcgi.RESPONDER, Fcgi.KEEP_CONN);
        byte[] params = NameValuePairs.encode(java.util.Map.of("QUERY_STRING", "a=1"));
        Records.stream(out, Fcgi.PARAMS, 1, params, 0, params.length);
        Records.stream(out, Fcgi.PARAMS, 1, new byte[0], 0, 0);
        byte[] body = new byte[700];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        Records.stream(out, Fcgi.STDIN, 1, body, 0, body.length);
        Records.stream(out, Fcgi.STDIN, 1, new byte[0], 0, 0);
        Records.endRequest(out, 0xFFFF, 0, Fcgi.REQUEST_COMPLETE);
        Records.unknownType(out, 200);
        out.put(Hex.bytes("02 01 00 01 00 08 00 00")); // version 2: the stream goes bad here
        out.put(new byte[8]);
        byte[] bytes = new byte[out.position()];
        out.get(0, bytes);
        return bytes;
    }

    /** What the reader yields for the whole conversation in one read. */
    private static final List<Rec> EXPECTED = scanAll(conversation(), conversation().length);

    @Test
    void wholeConversationInOneRead() {
        assertThat(EXPECTED).hasSize(8); // the 7 records written, then the BAD_VERSION verdict
        assertThat(EXPECTED.getLast()).isEqualTo(BAD);
        assertThat(EXPECTED.getFirst()).isEqualTo(new Rec(Fcgi.BEGIN_REQUEST, 1, "00 01 01 00 00 00 00 00"));
    }

    @Test
    void everySplitPointYieldsTheSameRecords() {
        byte[] stream = conversation();
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(readInReads(stream, new int[] {cut, stream.length - cut}))
                    .as("stream cut at byte %d of %d", cut, stream.length)
                    .isEqualTo(EXPECTED);
        }
    }

    @Test
    void everyPairOfSplitPointsInTheFirstRecordsYieldsTheSameRecords() {
        // two cuts: catches a reader that only copes with one partial record per read
        byte[] stream = conversation();
        for (int a = 0; a <= 64; a++) {
            for (int b = a; b <= 64; b++) {
                assertThat(readInReads(stream, new int[] {a, b - a, stream.length - b}))
                        .as("cuts at %d and %d", a, b)
                        .isEqualTo(EXPECTED);
            }
        }
    }

    @Test
    void everyReadSizeYieldsTheSameRecords() {
        // read sizes from 1 byte to the whole stream: several records per read, and records across reads
        byte[] stream = conversation();
        for (int size = 1; size <= stream.length; size++) {
            List<Integer> reads = new ArrayList<>();
            for (int left = stream.length; left > 0; left -= size) {
                reads.add(Math.min(size, left));
            }
            assertThat(readInReads(stream, reads.stream().mapToInt(Integer::intValue).toArray()))
                    .as("reads of %d bytes", size)
                    .isEqualTo(EXPECTED);
        }
    }

    /**
     * A reader like a connection's: bytes arrive in reads of the given sizes into
     * one buffer; after each read every complete record is taken.
     */
    private static List<Rec> readInReads(byte[] stream, int[] reads) {
        ByteBuffer buf = ByteBuffer.allocate(stream.length);
        List<Rec> out = new ArrayList<>();
        int rp = 0;
        int wp = 0;
        for (int n : reads) {
            buf.put(wp, stream, wp, n);
            wp += n;
            while (true) {
                int len = RecordScan.scan(buf, rp, wp);
                if (len == RecordScan.BAD_VERSION) {
                    out.add(BAD);
                    return out;
                }
                if (len == RecordScan.INCOMPLETE) {
                    break;
                }
                out.add(rec(buf, rp, len));
                rp += len;
            }
        }
        return out;
    }

    private static List<Rec> scanAll(byte[] stream, int limit) {
        return readInReads(stream, new int[] {limit});
    }

    private static Rec rec(ByteBuffer buf, int pos, int len) {
        assertThat(len).isEqualTo(RecordScan.recordLength(buf, pos));
        byte[] content = new byte[RecordScan.contentLength(buf, pos)];
        buf.get(pos + Fcgi.HEADER_LEN, content);
        return new Rec(RecordScan.type(buf, pos), RecordScan.requestId(buf, pos),
                HexFormat.ofDelimiter(" ").formatHex(content));
    }
}
