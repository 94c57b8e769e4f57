package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Value lexing, each row observed with php-fpm8.2 -tt (MYKIDS=7 in the environment). */
class IniValueParserTest {
    private static String lex(String text) throws IniSyntaxException {
        return new IniValueParser(text, Map.of("MYKIDS", "7")::get).parse();
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        " hello   world   => hello   world",
        "`\"kids ${MYKIDS} ok\"` => kids 7 ok",
        "'a ${MYKIDS} b' => a ${MYKIDS} b",
        "pre${MYKIDS}post => pre7post",
        "a ${MYKIDS} b => a 7 b",
        "${UNSET}x => x",
        "`%R - %u %t \"%m %r\" %s` => %R - %u %t%m %r%s",
        "`\"quoted\" tail` => quotedtail",
        "`\"a\\\"b\\\\c\\$d\\n\"` => a\"b\\c$d\\n",
        "yes => 1", "On => 1", "TRUE => 1", "no => ", "off => ", "none => ", "null => ", "`\"yes\"` => yes",
        "E_ALL => 32767", "FOO_BAR => FOO_BAR", "1|2 => 3", "~1 => -2", "!1 => 0", "(1|4)&5 => 5", "1 & 3 x => 1",
        "E_ALL & ~E_DEPRECATED => 24575", "a;comment => a", "`\"a;b\"` => a;b", "a # b => a # b", "$x => $x",
        "a{b} => a{b}", "a'b => a", "'a' b => a b", "${MYKIDS:-x} => ", "1.5e3 => 1.5e3", "-5 => -5"})
    void lexesLikePhpFpm(String written, String received) throws IniSyntaxException {
        assertThat(lex(written)).isEqualTo(received == null ? "" : received);
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "a=b => syntax error, unexpected '=' in Unknown on line 1",
        "a!b => syntax error, unexpected '!' in Unknown on line 1",
        "a(b) => syntax error, unexpected '(' in Unknown on line 1",
        "yes foo => syntax error, unexpected TC_CONSTANT in Unknown on line 1",
        "`\"a\" yes` => syntax error, unexpected BOOL_TRUE in Unknown on line 1",
        "`yes \"a\"` => syntax error, unexpected '\"' in Unknown on line 1",
        "`\"x` => syntax error, unexpected end of file, expecting TC_DOLLAR_CURLY or TC_QUOTED_STRING or '\"' in Unknown on line 2",
        "'x => syntax error, unexpected end of file in Unknown on line 1",
        "1| => syntax error, unexpected END_OF_LINE in Unknown on line 2",
        "${ => syntax error, unexpected end of file, expecting TC_VARNAME in Unknown on line 1",
        "x ~1 => syntax error, unexpected '~' in Unknown on line 1"})
    void rejectsLikePhp(String written, String message) {
        assertThatThrownBy(() -> lex(written)).isInstanceOf(IniSyntaxException.class).hasMessage(message);
    }
}
