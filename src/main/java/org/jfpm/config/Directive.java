package org.jfpm.config;

import java.util.Objects;

/**
 * One configuration directive: its name, where it applies, how its value is parsed and dumped,
 * the value php-fpm holds before the file sets it ({@code initial}, what {@code -tt} prints when
 * the directive is absent) and the value the running server uses when it is absent
 * ({@code effective}; php-fpm applies some defaults only at start, e.g. {@code listen.mode}).
 *
 * @param dumped false for the directives {@code -tt} does not print ({@code apparmor_hat},
 *               the flag arrays, which php-fpm stores with their value arrays)
 */
record Directive<T>(String name, Scope scope, ValueType<T> type, T initial, T effective, boolean dumped) {

    static <T> Directive<T> of(Scope scope, String name, ValueType<T> type, T initial) {
        return new Directive<>(name, scope, type, initial, initial, true);
    }

    /** A directive whose runtime default differs from what {@code -tt} shows when unset. */
    static <T> Directive<T> withRuntimeDefault(Scope scope, String name, ValueType<T> type, T initial, T effective) {
        return new Directive<>(name, scope, type, initial, effective, true);
    }

    Directive<T> notDumped() {
        return new Directive<>(name, scope, type, initial, effective, false);
    }

    /**
     * The record's equality, written out: the generated equals and hashCode bootstrap through
     * ObjectMethods on first use, 10-20 ms on the master's way to its first request (directives
     * are the keys of every {@link SectionValues}), and hash every component where the name
     * alone tells the directives apart.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Directive<?> d && dumped == d.dumped && name.equals(d.name) && scope == d.scope
                && Objects.equals(type, d.type) && Objects.equals(initial, d.initial)
                && Objects.equals(effective, d.effective);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
