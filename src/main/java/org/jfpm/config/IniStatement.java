package org.jfpm.config;

/** What one line of php-fpm.conf says, as the Zend INI parser hands it to php-fpm. */
sealed interface IniStatement {

    /** {@code [name]}: the name exactly as written between the brackets (not trimmed), {@code ${VAR}} expanded. */
    record Section(String name) implements IniStatement {
    }

    /** {@code key = value}; a null value is a key without {@code =} (php-fpm rejects it). */
    record Entry(String key, String value) implements IniStatement {
    }

    /** {@code key[offset] = value}. */
    record ArrayItem(String key, String offset, String value) implements IniStatement {
    }
}
