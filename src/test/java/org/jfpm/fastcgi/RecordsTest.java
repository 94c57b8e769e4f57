package org.jfpm.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The record writers against exact bytes. Layout of FCGI_Header (spec section 3.3):
 * version, type, requestIdB1, requestIdB0, contentLengthB1, contentLengthB0,
 * paddingLength, reserved; then content, then padding (zeros, to a multiple of 8).
 */
class RecordsTest {

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(Fcgi.MAX_RECORD * 4);
    }

    @Test
    void headerFieldsAreBigEndianWithPaddingToEight() {
        ByteBuffer out = buffer();
        Records.header(out, Fcgi.STDOUT, 0x0102, 5);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01"        // version FCGI_VERSION_1
              + "06"        // type FCGI_STDOUT
              + "01 02"     // requestId 0x0102, big endian
              + "00 05"     // contentLength 5
              + "03"        // paddingLength: 5 + 3 = 8
              + "00")));    // reserved
    }

    @ParameterizedTest(name = "content {0} -> padding {1}, record {2} bytes")
    @CsvSource({
        // content, padding, whole record (header 8 + content + padding)
        "0,     0, 8",
        "1,     7, 16",
        "7,     1, 16",
        "8,     0, 16",
        "9,     7, 24",
        "16,    0, 24",
        "65528, 0, 65536",
        "65535, 1, 65544",   // Fcgi.MAX_CONTENT: padding stays below 8
    })
    void paddingRoundsContentUpToEight(int content, int padding, int record) {
        ByteBuffer out = buffer();
        Records.stream(out, Fcgi.STDIN, 1, new byte[content], 0, content);
        assertThat(out.position()).isEqualTo(record);
        assertThat(Records.paddedLength(content)).isEqualTo(record);
        assertThat(out.get(Fcgi.OFF_PADDING_LENGTH) & 0xFF).isEqualTo(padding);
        assertThat(RecordScan.scan(out, 0, out.position())).isEqualTo(record);
    }

    @Test
    void streamRecordCarriesContentThenZeroPadding() {
        ByteBuffer out = buffer();
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        Records.stream(out, Fcgi.STDOUT, 1, hello, 0, hello.length);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 06 00 01 00 05 03 00"   // header: STDOUT, id 1, length 5, padding 3
              + "68 65 6c 6c 6f"            // "hello"
              + "00 00 00")));              // padding
    }

    @Test
    void streamWritesOnlyTheGivenSliceOfContent() {
        ByteBuffer out = buffer();
        byte[] content = "xxhelloyy".getBytes(StandardCharsets.US_ASCII);
        Records.stream(out, Fcgi.STDERR, 7, content, 2, 5);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 07 00 07 00 05 03 00"   // header: STDERR, id 7, length 5, padding 3
              + "68 65 6c 6c 6f 00 00 00"))); // "hello" and padding
    }

    @Test
    void emptyStreamRecordEndsAStream() {
        ByteBuffer out = buffer();
        Records.stream(out, Fcgi.PARAMS, 1, new byte[0], 0, 0);
        assertThat(Hex.written(out)).isEqualTo("01 04 00 01 00 00 00 00"); // PARAMS, id 1, length 0, no padding
    }

    @Test
    void beginRequestBody() {
        ByteBuffer out = buffer();
        Records.beginRequest(out, 1, Fcgi.RESPONDER, Fcgi.KEEP_CONN);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 01 00 01 00 08 00 00"   // header: BEGIN_REQUEST, id 1, length 8, no padding
              + "00 01"                     // role FCGI_RESPONDER (section 5.1)
              + "01"                        // flags FCGI_KEEP_CONN
              + "00 00 00 00 00")));        // reserved[5]
    }

    @Test
    void beginRequestWithoutKeepConn() {
        ByteBuffer out = buffer();
        Records.beginRequest(out, 0xFFFF, Fcgi.FILTER, 0);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 01 ff ff 00 08 00 00"   // header: BEGIN_REQUEST, id 65535 (the largest), length 8
              + "00 03"                     // role FCGI_FILTER
              + "00"                        // flags: close the connection after this request
              + "00 00 00 00 00")));        // reserved[5]
    }

    @Test
    void endRequestBody() {
        ByteBuffer out = buffer();
        Records.endRequest(out, 0x0203, 0x01020304, Fcgi.OVERLOADED);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 03 02 03 00 08 00 00"   // header: END_REQUEST, id 0x0203, length 8
              + "01 02 03 04"               // appStatus, big endian (section 5.5)
              + "02"                        // protocolStatus FCGI_OVERLOADED
              + "00 00 00")));              // reserved[3]
    }

    @Test
    void endRequestWithNegativeAppStatus() {
        ByteBuffer out = buffer();
        Records.endRequest(out, 1, -1, Fcgi.REQUEST_COMPLETE);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 03 00 01 00 08 00 00"   // header: END_REQUEST, id 1, length 8
              + "ff ff ff ff"               // appStatus -1, two's complement
              + "00"                        // FCGI_REQUEST_COMPLETE
              + "00 00 00")));              // reserved[3]
    }

    @Test
    void unknownTypeIsAManagementRecord() {
        ByteBuffer out = buffer();
        Records.unknownType(out, 42);
        assertThat(Hex.written(out)).isEqualTo(Hex.spaced(Hex.bytes(
                "01 0b 00 00 00 08 00 00"   // header: UNKNOWN_TYPE, request id 0 (management), length 8
              + "2a"                        // the type that was not understood (section 4.2)
              + "00 00 00 00 00 00 00")));  // reserved[7]
    }

    @Test
    void streamAllOfNothingWritesNothing() {
        ByteBuffer out = buffer();
        Records.streamAll(out, Fcgi.STDIN, 1, new byte[0]);
        assertThat(out.position()).isZero(); // the closing empty record is the caller's
    }

    @ParameterizedTest(name = "{0} bytes -> {1} records")
    @CsvSource({
        // content length, records, length of the last record's content
        "1,      1, 1",
        "65535,  1, 65535",
        "65536,  2, 1",
        "131070, 2, 65535",
        "131071, 3, 1",
        "200000, 4, 3395",   // 3 * 65535 = 196605; 200000 - 196605 = 3395
    })
    void streamAllSplitsLongContentIntoMaximalRecords(int length, int records, int lastLength) {
        byte[] content = new byte[length];
        for (int i = 0; i < length; i++) {
            content[i] = (byte) (i * 31 + i / 65535); // not periodic in the record size
        }
        ByteBuffer out = ByteBuffer.allocate(records * Records.paddedLength(Fcgi.MAX_CONTENT));
        Records.streamAll(out, Fcgi.STDOUT, 3, content);

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int pos = 0;
        int count = 0;
        int last = -1;
        while (pos < out.position()) {
            int n = RecordScan.scan(out, pos, out.position());
            assertThat(n).as("record %d at %d", count, pos).isPositive();
            assertThat(RecordScan.type(out, pos)).isEqualTo(Fcgi.STDOUT);
            assertThat(RecordScan.requestId(out, pos)).isEqualTo(3);
            last = RecordScan.contentLength(out, pos);
            if (pos + n < out.position()) {
                assertThat(last).as("every record but the last is full").isEqualTo(Fcgi.MAX_CONTENT);
            }
            byte[] part = new byte[last];
            out.get(pos + Fcgi.HEADER_LEN, part);
            joined.writeBytes(part);
            pos += n;
            count++;
        }
        assertThat(count).isEqualTo(records);
        assertThat(last).isEqualTo(lastLength);
        assertThat(Arrays.equals(joined.toByteArray(), content)).as("content survives the split").isTrue();
    }
}
