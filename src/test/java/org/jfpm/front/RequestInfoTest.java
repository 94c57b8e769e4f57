package org.jfpm.front;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
}
