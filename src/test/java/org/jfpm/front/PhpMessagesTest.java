package org.jfpm.front;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** php-cgi's FCGI_STDERR text in, php-fpm 8.2's out (measured from php-fpm8.2 with the same scripts). */
class PhpMessagesTest {
    private final List<String> lines = new ArrayList<>();
    private final PhpMessages messages = new PhpMessages("NOTICE: ", "ERROR: ", 1024, lines::add);

    private String feed(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return new String(messages.feed(b, 0, b.length), StandardCharsets.UTF_8);
    }

    @Test
    void messagesOfOneRequestAreJoinedWithSemicolonsAndLoseTheirNewline() {
        String out = feed("PHP Warning:  first in /x.php on line 3\nplain error_log call\n")
                + feed("PHP Notice:  multi\nline in /x.php on line 5\n");
        assertThat(out).isEqualTo("PHP message: PHP Warning:  first in /x.php on line 3"
                + "; PHP message: plain error_log call"
                + "; PHP message: PHP Notice:  multi\nline in /x.php on line 5");
        assertThat(lines).containsExactly("NOTICE: PHP message: PHP Warning:  first in /x.php on line 3",
                "NOTICE: PHP message: plain error_log call", "NOTICE: PHP message: PHP Notice:  multi",
                "line in /x.php on line 5");
    }

    @Test
    void anUncaughtExceptionWithItsStackTraceIsOneMessage() {
        String out = feed("PHP Fatal error:  Uncaught Exception: boom in /x.php:6\nStack trace:\n#0 {main}\n"
                + "  thrown in /x.php on line 6\n");
        assertThat(out).isEqualTo("PHP message: PHP Fatal error:  Uncaught Exception: boom in /x.php:6\n"
                + "Stack trace:\n#0 {main}\n  thrown in /x.php on line 6");
        assertThat(lines).hasSize(4).first().isEqualTo(
                "NOTICE: PHP message: PHP Fatal error:  Uncaught Exception: boom in /x.php:6");
    }

    @Test
    void aMessageSplitOverRecordsWaitsForItsEnd() {
        assertThat(feed("PHP Warning:  a in /x.php on li")).isEmpty();
        assertThat(feed("ne 2\n")).isEqualTo("PHP message: PHP Warning:  a in /x.php on line 2");
    }

    @Test
    void anErrorLogTextEndingInANewlineKeepsIt() {
        assertThat(feed("tail\n\n")).isEqualTo("PHP message: tail\n");
        assertThat(lines).containsExactly("NOTICE: PHP message: tail");
    }

    @Test
    void anEmptyErrorLogCallIsAnEmptyMessage() {
        assertThat(feed("PHP Warning:  b in /y.php on line 4\n\n"))
                .isEqualTo("PHP message: PHP Warning:  b in /y.php on line 4; PHP message: ");
        assertThat(lines).containsExactly("NOTICE: PHP message: PHP Warning:  b in /y.php on line 4",
                "NOTICE: PHP message: ");
    }

    @Test
    void aLongMessageIsCutToLogLimitWithDots() {
        String out = feed("x".repeat(3000) + "\n");
        assertThat(out).isEqualTo("PHP message: " + "x".repeat(999) + "...");
        assertThat(lines).containsExactly("NOTICE: PHP message: " + "x".repeat(999) + "...");
    }

    @Test
    void theCutCountsTheWholeMessageLinesIncluded() {
        feed("PHP Warning:  " + "ab\n".repeat(5) + "y".repeat(1100) + " in /z.php on line 3\n");
        assertThat(lines).hasSize(6);
        assertThat(lines.get(5)).hasSize(973).endsWith("y...");
    }

    @Test
    void aMessageOneByteUnderTheLimitIsWhole() {
        assertThat(feed("x".repeat(1002) + "\n")).isEqualTo("PHP message: " + "x".repeat(1002));
        assertThat(feed("y".repeat(1003) + "\n")).endsWith("y".repeat(999) + "...");
    }

    @Test
    void withoutTheNoticeLevelTheChildLineHasNoPrefixAndMoreRoom() {
        PhpMessages quiet = new PhpMessages(PhpMessages.levelPrefix("NOTICE", false), "ERROR: ", 1024, lines::add);
        byte[] b = ("x".repeat(3000) + "\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(new String(quiet.feed(b, 0, b.length), StandardCharsets.US_ASCII))
                .isEqualTo("PHP message: " + "x".repeat(1007) + "...");
        assertThat(lines).containsExactly("PHP message: " + "x".repeat(1007) + "...");
    }

    @Test
    void theRequestEndSendsAnUnfinishedMessage() {
        assertThat(feed("PHP Warning:  never ends")).isEmpty();
        assertThat(new String(messages.end(), StandardCharsets.US_ASCII))
                .isEqualTo("PHP message: PHP Warning:  never ends");
    }

    @Test
    void withoutCatchingWorkersOutputNoLineIsMade() {
        PhpMessages uncaught = new PhpMessages("NOTICE: ", "ERROR: ", 1024, null);
        byte[] b = "hello\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(uncaught.feed(b, 0, b.length)).asString().isEqualTo("PHP message: hello");
        assertThat(lines).isEmpty();
    }

    @Test
    void thePreludesIniComplaintsGoAsTheyAreAndLogAsErrors() {
        assertThat(feed("Passing INI directive through FastCGI: unable to set 'x'\nafter\n")).isEqualTo(
                "Passing INI directive through FastCGI: unable to set 'x'; PHP message: after");
        assertThat(lines).containsExactly("ERROR: Passing INI directive through FastCGI: unable to set 'x'",
                "NOTICE: PHP message: after");
    }

    @Test
    void phpErrorLinesAreRecognisedByTheirTypeAndTwoSpaces() {
        assertThat(PhpMessages.startsPhpError("PHP Recoverable fatal error:  x".getBytes())).isTrue();
        assertThat(PhpMessages.startsPhpError("PHP Warning: one space".getBytes())).isFalse();
        assertThat(PhpMessages.startsPhpError("PHP 8.2 is fine:  x".getBytes())).isFalse();
        assertThat(PhpMessages.endsWithLineNumber("a in b on line 12".getBytes())).isTrue();
        assertThat(PhpMessages.endsWithLineNumber("a in b on line ".getBytes())).isFalse();
    }
}
