package org.jfpm.config;

/** A directive's value was rejected; the message is php-fpm's reason text, e.g. {@code invalid boolean value}. */
final class InvalidValueException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidValueException(String reason) {
        super(reason, null, false, false);
    }
}
