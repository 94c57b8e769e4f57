package org.jfpm.config;

/**
 * The Zend INI parser rejected a line. The message is what PHP prints after {@code PHP:  },
 * e.g. {@code syntax error, unexpected '=' in Unknown on line 1}. php-fpm feeds the parser one
 * line plus its newline at a time, so "line 2" means the error was found at the line's end.
 */
final class IniSyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    IniSyntaxException(String unexpected, boolean atLineEnd) {
        super("syntax error, unexpected " + unexpected + " in Unknown on line " + (atLineEnd ? 2 : 1), null,
                false, false);
    }
}
