package org.jfpm.config;

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

    @Override
    public String toString() {
        return name;
    }
}
