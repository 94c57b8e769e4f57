package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code name[key] = value} directives. Entries are kept in file order, duplicates included;
 * php-fpm prepends each one to a list, so {@code -tt} prints them newest first.
 */
final class ArrayType extends ValueType<List<ArrayEntry>> {

    enum Kind { ENV, VALUE, FLAG, PATH_LIST }

    static final ArrayType ENV = new ArrayType(Kind.ENV);
    static final ArrayType PHP_VALUE = new ArrayType(Kind.VALUE);
    static final ArrayType PHP_FLAG = new ArrayType(Kind.FLAG);
    static final ArrayType SUPPRESS_PATH = new ArrayType(Kind.PATH_LIST);

    private final Kind kind;

    private ArrayType(Kind kind) {
        this.kind = kind;
    }

    /**
     * Checks one entry; the exception carries php-fpm's whole message (without {@code [file:line]}).
     *
     * @param name the directive name as written
     */
    ArrayEntry parse(String name, String key, String value, String poolName) throws InvalidValueException {
        if (kind == Kind.PATH_LIST) {
            if (!key.isEmpty()) {
                throw new InvalidValueException("Keys provided to field '" + name + "' are ignored");
            }
            if (!value.startsWith("/")) {
                throw new InvalidValueException("Values provided to field '" + name + "' must begin with '/'");
            }
            return new ArrayEntry("", PoolNameExpansion.expand(value, poolName));
        }
        if (key.isEmpty()) {
            throw new InvalidValueException("You must provide a key for field '" + name + "'");
        }
        if (kind == Kind.ENV && value.isEmpty()) {
            throw new InvalidValueException("empty value");
        }
        if (kind == Kind.FLAG) {
            try {
                boolean on = ScalarType.BOOLEAN.parse(value, poolName);
                return new ArrayEntry(key, on ? "1" : "0");
            } catch (InvalidValueException e) {
                throw new InvalidValueException(
                        "error while parsing '" + name + "[" + key + "]' : " + e.getMessage());
            }
        }
        return new ArrayEntry(key, PoolNameExpansion.expand(value, poolName));
    }

    @Override
    String render(List<ArrayEntry> value) {
        return String.valueOf(value);
    }

    @Override
    List<String> dumpLines(String name, List<ArrayEntry> entries) {
        List<String> lines = new ArrayList<>();
        if (entries == null) {
            return lines;
        }
        for (ArrayEntry e : entries.reversed()) {
            lines.add("\t" + name + "[" + e.key() + "] = " + e.value());
        }
        return lines;
    }
}
