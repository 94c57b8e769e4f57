package org.jfpm.front;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns what php-cgi sends on FCGI_STDERR into what php-fpm sends, message by message.
 *
 * <p>PHP hands each log message (an error with {@code log_errors} on and no
 * {@code error_log} file, or an {@code error_log()} call) to its SAPI. php-cgi
 * (sapi/cgi/cgi_main.c, {@code sapi_cgi_log_message}) writes it on FCGI_STDERR followed
 * by a newline. php-fpm (sapi/fpm/fpm/fpm_main.c, {@code sapi_cgi_log_message} and
 * {@code sapi_cgi_log_fastcgi}) passes it through its zlog stream instead
 * (sapi/fpm/fpm/zlog.c, {@code zlog_msg_ex}): the child writes
 * {@code NOTICE: PHP message: <message>} on its stderr, cut to {@code log_limit} with
 * {@code ...} at the end, and the same text without the level sends
 * {@code PHP message: <message>} on FCGI_STDERR, with {@code "; "} before every message
 * of the request but the first, and no newline.
 *
 * <p>The boundaries of messages are not on the wire: php-cgi adds one newline per message
 * and records carry any number of them. A line that starts as PHP's own error line
 * ({@code PHP Warning:  ...}, main/main.c {@code php_error_cb}) opens a message that ends
 * with the line ending in {@code on line N} (a multi-line message, such as an uncaught
 * exception with its stack trace, is one message); any other line is one message, and an
 * empty line right after it in the same read is that message's own final newline
 * ({@code error_log("text\n")}). So a multi-line {@code error_log()} text becomes one
 * message per line (docs/differences.md).
 *
 * <p>The prelude's own complaints about PHP_VALUE ({@code Passing INI directive through
 * FastCGI: ...}) are php-fpm's zlog errors (fpm_main.c, {@code cgi_php_load_env_var}'s
 * callers): they go on FCGI_STDERR as they are, and the child's line is
 * {@code ERROR: ...}.
 *
 * <p>One instance per request; not thread-safe (the request's relay thread owns it).
 */
final class PhpMessages {
    private static final byte[] TAG = "PHP message: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEPARATOR = "; ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ELLIPSIS = "...".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] INI_COMPLAINT =
            "Passing INI directive through FastCGI: ".getBytes(StandardCharsets.US_ASCII);

    private final byte[] levelPrefix;
    private final String errorPrefix;
    private final int logLimit;
    private final Consumer<String> childLine;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final ByteArrayOutputStream open = new ByteArrayOutputStream(256);
    private boolean opened;
    private byte[] plain;
    private boolean sentAny;

    /**
     * @param levelPrefix what php-fpm's child writes before a message on its stderr
     *                    ({@code "NOTICE: "} at the default log_level, nothing above notice)
     * @param errorPrefix what it writes before its own errors ({@code "ERROR: "} unless
     *                    log_level is alert)
     * @param logLimit    the global log_limit
     * @param childLine   receives each line php-fpm's child would write on its stderr, or null
     *                    when the pool does not catch workers' output
     */
    PhpMessages(String levelPrefix, String errorPrefix, int logLimit, Consumer<String> childLine) {
        this.levelPrefix = levelPrefix.getBytes(StandardCharsets.US_ASCII);
        this.errorPrefix = errorPrefix;
        this.logLimit = logLimit;
        this.childLine = childLine;
    }

    /** The child's prefix for a level: php-fpm's zlog writes the level only when it is logged. */
    static String levelPrefix(String level, boolean logged) {
        return logged ? level + ": " : "";
    }

    /**
     * Takes {@code len} bytes of FCGI_STDERR content from php-cgi and returns php-fpm's
     * FCGI_STDERR content for the messages they complete (empty when none is complete yet).
     */
    byte[] feed(byte[] b, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len + 32);
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                lineEnded(out);
            } else {
                line.write(b[i]);
            }
        }
        flushPlain(out);
        return out.toByteArray();
    }

    /** The request ended: what is still held (a message without its newline) is sent as it is. */
    byte[] end() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (line.size() > 0) {
            lineEnded(out);
        }
        flushPlain(out);
        if (opened) {
            message(open.toByteArray(), out);
            open.reset();
            opened = false;
        }
        return out.toByteArray();
    }

    private void lineEnded(ByteArrayOutputStream out) {
        byte[] text = line.toByteArray();
        line.reset();
        if (plain != null && text.length == 0 && !opened) {
            byte[] withNewline = java.util.Arrays.copyOf(plain, plain.length + 1);
            withNewline[plain.length] = '\n';
            plain = null;
            message(withNewline, out);
            return;
        }
        flushPlain(out);
        if (opened) {
            open.write('\n');
            open.writeBytes(text);
        } else if (startsWith(text, INI_COMPLAINT)) {
            complaint(text, out);
            return;
        } else if (startsPhpError(text)) {
            open.writeBytes(text);
            opened = true;
        } else {
            plain = text;
            return;
        }
        if (endsWithLineNumber(text)) {
            message(open.toByteArray(), out);
            open.reset();
            opened = false;
        }
    }

    private void flushPlain(ByteArrayOutputStream out) {
        if (plain != null) {
            byte[] text = plain;
            plain = null;
            message(text, out);
        }
    }

    private void complaint(byte[] text, ByteArrayOutputStream out) {
        if (childLine != null) {
            childLine.accept(errorPrefix + new String(text, StandardCharsets.UTF_8));
        }
        if (sentAny) {
            out.writeBytes(SEPARATOR);
        }
        sentAny = true;
        out.writeBytes(text);
    }

    private static boolean startsWith(byte[] text, byte[] prefix) {
        return text.length >= prefix.length && java.util.Arrays.equals(text, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** One message in php-fpm's form: the child's stderr lines, then the FCGI_STDERR text. */
    private void message(byte[] text, ByteArrayOutputStream out) {
        byte[] full = new byte[levelPrefix.length + TAG.length + text.length];
        System.arraycopy(levelPrefix, 0, full, 0, levelPrefix.length);
        System.arraycopy(TAG, 0, full, levelPrefix.length, TAG.length);
        System.arraycopy(text, 0, full, levelPrefix.length + TAG.length, text.length);
        int length = full.length;
        if (length >= logLimit) { // zlog.c zlog_stream_buf_append, then zlog_truncate_buf
            length = logLimit - 1;
            System.arraycopy(ELLIPSIS, 0, full, length - ELLIPSIS.length, ELLIPSIS.length);
        }
        if (childLine != null) {
            int start = 0;
            for (int i = 0; i <= length; i++) {
                if ((i == length || full[i] == '\n') && i > start) { // fpm_stdio.c logs no empty line
                    childLine.accept(new String(full, start, i - start, StandardCharsets.UTF_8));
                }
                if (i < length && full[i] == '\n') {
                    start = i + 1;
                }
            }
        }
        if (sentAny) {
            out.writeBytes(SEPARATOR);
        }
        sentAny = true;
        out.write(full, levelPrefix.length, length - levelPrefix.length);
    }

    /** {@code PHP <Type>:  } with php_error_cb's two spaces, the type being letters and spaces. */
    static boolean startsPhpError(byte[] text) {
        if (text.length < 8 || text[0] != 'P' || text[1] != 'H' || text[2] != 'P' || text[3] != ' ') {
            return false;
        }
        for (int i = 4; i < text.length - 2 && i < 40; i++) {
            byte c = text[i];
            if (c == ':') {
                return i > 4 && text[i + 1] == ' ' && text[i + 2] == ' ';
            }
            if (c != ' ' && (c < 'A' || c > 'Z') && (c < 'a' || c > 'z')) {
                return false;
            }
        }
        return false;
    }

    /** Ends as php_error_cb's {@code "%s in %s on line %d"}. */
    static boolean endsWithLineNumber(byte[] text) {
        int i = text.length - 1;
        while (i >= 0 && text[i] >= '0' && text[i] <= '9') {
            i--;
        }
        if (i == text.length - 1) {
            return false;
        }
        byte[] tail = " on line ".getBytes(StandardCharsets.US_ASCII);
        int start = i + 1 - tail.length;
        if (start < 0) {
            return false;
        }
        for (int k = 0; k < tail.length; k++) {
            if (text[start + k] != tail[k]) {
                return false;
            }
        }
        return true;
    }
}
