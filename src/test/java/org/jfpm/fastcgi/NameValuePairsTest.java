package org.jfpm.fastcgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SequencedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Name-value pairs (spec section 3.4): a length below 128 is one byte; a length
 * of 128 or more is four bytes, big endian, with the top bit of the first set.
 * The spec allows the four-byte form for any length, so a decoder must accept
 * it for short ones too.
 */
class NameValuePairsTest {

    private static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    /** Decodes {@code bytes} whole, in a buffer whose own limit is the end of the pairs (so an over-read throws). */
    private static Decoded decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        List<String[]> pairs = new ArrayList<>();
        String error = NameValuePairs.decode(buf, 0, bytes.length, (n, v) -> pairs.add(new String[] {n, v}));
        return new Decoded(pairs, error);
    }

    record Decoded(List<String[]> pairs, String error) {
        SequencedMap<String, String> asMap() {
            SequencedMap<String, String> m = new LinkedHashMap<>();
            pairs.forEach(p -> m.put(p[0], p[1]));
            return m;
        }
    }

    // ------------------------------------------------------------ exact bytes

    static List<Arguments> encodings() {
        return List.of(
                Arguments.of("a", "b",
                        "01"            // nameLength 1 (one byte)
                      + "01"            // valueLength 1
                      + "61 62"),       // "a" "b"
                Arguments.of("", "",
                        "00 00"),       // empty name and value: two zero lengths, nothing else
                Arguments.of("HTTPS", "",
                        "05 00 48 54 54 50 53"), // an empty value, as nginx sends for HTTPS on plain HTTP
                Arguments.of(repeat('n', 127), "v",
                        "7f"            // nameLength 127: the largest one-byte length
                      + "01"
                      + "6e".repeat(127) + "76"),
                Arguments.of(repeat('n', 128), "v",
                        "80 00 00 80"   // nameLength 128: four bytes, top bit set
                      + "01"
                      + "6e".repeat(128) + "76"),
                Arguments.of("k", repeat('v', 128),
                        "01"
                      + "80 00 00 80"   // valueLength 128, four bytes
                      + "6b" + "76".repeat(128)),
                Arguments.of("k", repeat('v', 65536),
                        "01"
                      + "80 01 00 00"   // valueLength 65536: longer than one record's content
                      + "6b" + "76".repeat(65536)),
                Arguments.of("\u00e9", "\u00ff\u0000",
                        "01 02"         // ISO-8859-1: one byte per char
                      + "e9 ff 00"));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("encodings")
    void encodesToExactBytes(String name, String value, String hex) {
        Map<String, String> pair = new LinkedHashMap<>();
        pair.put(name, value);
        assertThat(Hex.spaced(NameValuePairs.encode(pair))).isEqualTo(Hex.spaced(Hex.bytes(hex)));
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @MethodSource("encodings")
    void decodesExactBytes(String name, String value, String hex) {
        Decoded d = decode(Hex.bytes(hex));
        assertThat(d.error()).isNull();
        assertThat(d.pairs()).hasSize(1);
        assertThat(d.pairs().getFirst()).containsExactly(name, value);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // the four-byte form used for short lengths is still valid (section 3.4 does not forbid it)
        "both long form     | 80 00 00 01 | 80 00 00 01 | 61 62",
        "name long form     | 80 00 00 01 | 01          | 61 62",
        "value long form    | 01          | 80 00 00 01 | 61 62",
    })
    void fourByteFormForShortLengthsIsAccepted(String label, String nameLen, String valueLen, String data) {
        Decoded d = decode(Hex.bytes(nameLen + valueLen + data));
        assertThat(d.error()).isNull();
        assertThat(d.pairs()).hasSize(1);
        if (data.isEmpty()) {
            assertThat(d.pairs().getFirst()).containsExactly("", "");
        } else {
            assertThat(d.pairs().getFirst()).containsExactly("a", "b");
        }
    }

    /**
     * php-cgi (main/fastcgi.c fcgi_get_params) wants a byte after a four-byte length, so a
     * pair that ends its record with one, even a zero one, is refused: both readers follow it.
     */
    @Test
    void aFourByteLengthEndingTheRecordIsRefusedAsPhpCgiRefusesIt() {
        assertThat(decode(Hex.bytes("80 00 00 00 80 00 00 00")).error()).isEqualTo("truncated value length");
        assertThat(decode(Hex.bytes("80 00 00 00 00")).error()).isNull();
    }

    @Test
    void severalPairsInOrder() {
        SequencedMap<String, String> params = new LinkedHashMap<>();
        params.put("SCRIPT_FILENAME", "/srv/www/index.php");
        params.put("QUERY_STRING", "");
        params.put("HTTP_COOKIE", repeat('c', 300));
        params.put("REQUEST_METHOD", "GET");
        byte[] bytes = NameValuePairs.encode(params);
        assertThat(bytes.length).isEqualTo(
                (1 + 1 + 15 + 18) + (1 + 1 + 12 + 0) + (1 + 4 + 11 + 300) + (1 + 1 + 14 + 3));
        Decoded d = decode(bytes);
        assertThat(d.error()).isNull();
        assertThat(d.asMap()).containsExactlyEntriesOf(params);
    }

    @Test
    void everyByteValueSurvivesARoundTrip() {
        StringBuilder all = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            all.append((char) b);
        }
        Map<String, String> pair = Map.of(all.toString(), all.reverse().toString());
        Decoded d = decode(NameValuePairs.encode(pair));
        assertThat(d.error()).isNull();
        assertThat(d.asMap()).isEqualTo(pair);
    }

    @Test
    void decodesOnlyBetweenPosAndLimit() {
        // garbage around the pairs: a record body inside a larger read buffer
        byte[] buf = Hex.bytes("ff ff ff | 01 01 61 62 | 02 00 63 64 | ff ff");
        List<String> seen = new ArrayList<>();
        String error = NameValuePairs.decode(ByteBuffer.wrap(buf), 3, 11, (n, v) -> seen.add(n + "=" + v));
        assertThat(error).isNull();
        assertThat(seen).containsExactly("a=b", "cd=");
    }

    @Test
    void emptyRangeIsNoPairsAndNoError() {
        assertThat(decode(new byte[0]).error()).isNull();
        assertThat(decode(new byte[0]).pairs()).isEmpty();
    }

    @Test
    void visitorReturningFalseStopsTheWalk() {
        byte[] bytes = Hex.bytes("01 01 61 62 | 01 01 63 64 | ff"); // the trailing ff is never looked at
        List<String> seen = new ArrayList<>();
        String error = NameValuePairs.decode(ByteBuffer.wrap(bytes), 0, bytes.length, (n, v) -> {
            seen.add(n);
            return false;
        });
        assertThat(error).isNull();
        assertThat(seen).containsExactly("a");
    }

    // ------------------------------------------------------------ bad input

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "lone short name length          | 01                         | truncated value length",
        "name length cut after 1 byte    | 80                         | truncated name length",
        "name length cut after 3 bytes   | 80 00 00                   | truncated name length",
        "value length cut after 2 bytes  | 01 80 00                   | truncated value length",
        "value missing                   | 01 01 61                   | name-value pair longer than its record (1+1 bytes)",
        "name says 5, 2 there            | 05 00 61 62                | name-value pair longer than its record (5+0 bytes)",
        "value says 127, none there      | 00 7f                      | name-value pair longer than its record (0+127 bytes)",
        "name length 2^31-1              | ff ff ff ff 00             | name-value pair longer than its record (2147483647+0 bytes)",
        "both lengths 2^31-1 (no overflow)| ff ff ff ff ff ff ff ff 61 | name-value pair longer than its record (2147483647+2147483647 bytes)",
        "good pair then truncated        | 01 01 61 62 03             | truncated value length",
        "good pair then lying length     | 01 01 61 62 01 09 63       | name-value pair longer than its record (1+9 bytes)",
    })
    void truncatedOrLyingInputIsAnErrorString(String label, String hex, String expected) {
        Decoded d = decode(Hex.bytes(hex));
        assertThat(d.error()).isEqualTo(expected);
    }

    @Test
    void pairsBeforeAnErrorAreStillVisited() {
        // the caller learns what was read before the error; it decides whether to use it
        Decoded d = decode(Hex.bytes("01 01 61 62 | 01 09 63"));
        assertThat(d.pairs()).hasSize(1);
        assertThat(d.error()).startsWith("name-value pair longer than its record");
    }

    @Test
    void everyTruncationOfValidPairsIsAnErrorNeverAnException() {
        SequencedMap<String, String> params = new LinkedHashMap<>();
        params.put("a", "b");
        params.put(repeat('n', 130), repeat('v', 200));
        params.put("", "x");
        byte[] whole = NameValuePairs.encode(params);
        // pair boundaries: a cut exactly there is a shorter but valid list
        List<Integer> boundaries = List.of(0, 4, 4 + 8 + 330, whole.length);
        for (int cut = 0; cut <= whole.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(whole, cut);
            Decoded d = decode(part);
            if (boundaries.contains(cut)) {
                assertThat(d.error()).as("cut at pair boundary %d", cut).isNull();
            } else {
                assertThat(d.error()).as("cut at %d of %d", cut, whole.length).isNotNull();
            }
        }
    }

    /**
     * Property: on any bytes, decode returns null or one of its messages and never
     * throws, and never reads outside [pos, limit): the buffer's own limit is set
     * to the pairs' end, so an over-read would throw IndexOutOfBoundsException.
     */
    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0x5EED_FC61L);
        int errors = 0;
        int clean = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = randomPairsLike(random);
            int pos = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long[] visited = {0};
            String error = NameValuePairs.decode(buf, pos, bytes.length, (n, v) -> {
                visited[0] += n.length() + v.length();
                return true;
            });
            if (error == null) {
                clean++;
                assertThat(visited[0]).isLessThanOrEqualTo(bytes.length - pos);
            } else {
                errors++;
                assertThat(error).matches("truncated name length|truncated value length"
                        + "|name-value pair longer than its record \\(\\d+\\+\\d+ bytes\\)");
            }
        }
        // the generator must exercise both outcomes, or the property says little
        assertThat(clean).isGreaterThan(1_000);
        assertThat(errors).isGreaterThan(1_000);
    }

    /** Short byte strings biased towards plausible lengths: small values, 0x80-prefixed, 0xff. */
    private static byte[] randomPairsLike(Random random) {
        byte[] b = new byte[random.nextInt(40)];
        for (int i = 0; i < b.length; i++) {
            b[i] = switch (random.nextInt(6)) {
                case 0 -> (byte) 0x80;
                case 1 -> (byte) 0xff;
                case 2, 3 -> (byte) random.nextInt(8);
                default -> (byte) random.nextInt(256);
            };
        }
        return b;
    }

    /** Property: random maps (with long names and values) survive encode then decode, in order. */
    @Test
    void randomMapsRoundTrip() {
        Random random = new Random(42);
        for (int i = 0; i < 500; i++) {
            SequencedMap<String, String> m = new LinkedHashMap<>();
            int pairs = random.nextInt(6);
            for (int p = 0; p < pairs; p++) {
                m.put(randomLatin1(random, p) + "#" + p, randomLatin1(random, random.nextInt(3)));
            }
            Decoded d = decode(NameValuePairs.encode(m));
            assertThat(d.error()).isNull();
            assertThat(d.asMap()).containsExactlyEntriesOf(m);
        }
    }

    private static String randomLatin1(Random random, int size) {
        int len = switch (size) {
            case 0 -> random.nextInt(3);
            case 1 -> 120 + random.nextInt(16); // across the 127/128 boundary
            default -> random.nextInt(70_000);
        };
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) random.nextInt(256);
        }
        return new String(c);
    }
}
