package org.jfpm.config;

import java.util.List;

/**
 * How a directive's text becomes a value, and how {@code -tt} prints it back. Scalar types live
 * in {@link ScalarType}, the {@code name[key] = value} arrays in {@link ArrayType}.
 */
abstract sealed class ValueType<T> permits ScalarType, ArrayType {

    /** The value as {@code -tt} prints it; null (unset) prints as php-fpm's {@code undefined}. */
    abstract String render(T value);

    /** The {@code -tt} lines for this directive (TAB + {@code name = value}). */
    List<String> dumpLines(String name, T value) {
        return List.of("\t" + name + " = " + render(value));
    }
}
