package org.jfpm.config;

import org.jfpm.log.Level;

/**
 * One line the loader wants printed, without timestamp: {@code (ERROR, "[/tmp/x.conf:9] unknown entry 'foo.bar'")}.
 * A null level marks a line php-fpm prints outside its log format (the Zend INI parser's
 * {@code PHP:  syntax error, ...} goes straight to stderr), which the printer writes as is.
 */
public record ConfigMessage(Level level, String text) {

    public static ConfigMessage error(String text) {
        return new ConfigMessage(Level.ERROR, text);
    }

    public static ConfigMessage alert(String text) {
        return new ConfigMessage(Level.ALERT, text);
    }

    public static ConfigMessage warning(String text) {
        return new ConfigMessage(Level.WARNING, text);
    }

    public static ConfigMessage notice(String text) {
        return new ConfigMessage(Level.NOTICE, text);
    }

    /** A line printed verbatim, with neither timestamp nor level. */
    public static ConfigMessage verbatim(String text) {
        return new ConfigMessage(null, text);
    }
}
