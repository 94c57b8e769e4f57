package org.jfpm.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jfpm.fastcgi.Fcgi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestInfoTest {

    @ParameterizedTest(name = "CONTENT_LENGTH [{0}] -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''|0", "0|0", "100|100", "'  42'|42", "+7|7", "-5|-5", "12abc|12", "abc|0",
        "99999999999999999999999|9223372036854775807"})
    void contentLengthIsReadAsAtolReadsIt(String value, long expected) {
        byte[] bytes = ("xx" + value).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(RequestInfo.number(ByteBuffer.wrap(bytes), 2, bytes.length - 2)).isEqualTo(expected);
    }

    @Test
    void pairsSpreadOverRecordsAreAllRead() {
        RequestInfo info = parse(record(pair("SCRIPT_NAME", "/a.php")),
                record(pair("QUERY_STRING", "x=1"), pair("REQUEST_METHOD", "POST")));
        assertThat(info.malformed()).isFalse();
        assertThat(info.scriptName()).isEqualTo("/a.php");
        assertThat(info.queryString()).isEqualTo("x=1");
        assertThat(info.method()).isEqualTo("POST");
    }

    @Test
    void fourByteLengthsAreRead() {
        byte[] name = "SCRIPT_FILENAME".getBytes(StandardCharsets.US_ASCII);
        byte[] value = ("/srv/" + "d/".repeat(100) + "i.php").getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(name.length);
        p.writeBytes(new byte[] {(byte) 0x80, 0, 0, (byte) value.length});
        p.writeBytes(name);
        p.writeBytes(value);
        RequestInfo info = parse(record(p.toByteArray()));
        assertThat(info.malformed()).isFalse();
        assertThat(info.scriptFilename()).isEqualTo(new String(value, StandardCharsets.US_ASCII));
    }

    /** What php-cgi's fcgi_get_params refuses (it drops the connection), the master calls malformed. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "value runs past the record, 0b0a5343524950545f4e414d452f612e706870",
        "name length and nothing more, 0b",
        "four-byte length cut short, 0b800000",
        "four-byte value length last of all, 0080000000",
        "name longer than the record, 7f00414243"})
    void lengthsPastTheEndOfARecordAreMalformed(String what, String hex) {
        RequestInfo info = parse(record(java.util.HexFormat.of().parseHex(hex)));
        assertThat(info.malformed()).as(what).isTrue();
    }

    @Test
    void aPairSpanningTwoRecordsIsMalformedAsPhpCgiReadsEachRecordAlone() {
        byte[] whole = pair("SCRIPT_NAME", "/a.php");
        byte[] head = java.util.Arrays.copyOfRange(whole, 0, 5);
        byte[] tail = java.util.Arrays.copyOfRange(whole, 5, whole.length);
        assertThat(parse(record(head), record(tail)).malformed()).isTrue();
    }

    private static RequestInfo parse(byte[]... records) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] r : records) {
            all.writeBytes(r);
        }
        all.writeBytes(record()); // the empty PARAMS that ends them
        byte[] bytes = all.toByteArray();
        return RequestInfo.parse(ByteBuffer.wrap(bytes), 0, bytes.length, true);
    }

    private static byte[] pair(String name, String value) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(name.length());
        p.write(value.length());
        p.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        p.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
        return p.toByteArray();
    }

    /** One PARAMS record for request 1 holding the given pairs, unpadded. */
    private static byte[] record(byte[]... pairs) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : pairs) {
            content.writeBytes(p);
        }
        int len = content.size();
        ByteArrayOutputStream r = new ByteArrayOutputStream();
        r.writeBytes(new byte[] {1, Fcgi.PARAMS, 0, 1, (byte) (len >> 8), (byte) len, 0, 0});
        r.writeBytes(content.toByteArray());
        return r.toByteArray();
    }
}
