package org.jfpm.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The values written in one section ([global] or one pool); unset directives answer their initial value. */
final class SectionValues {
    private final Map<Directive<?>, Object> values = new HashMap<>();

    /** The written value, or the directive's initial value (what {@code -tt} prints). */
    @SuppressWarnings("unchecked")
    <T> T get(Directive<T> directive) {
        return values.containsKey(directive) ? (T) values.get(directive) : directive.initial();
    }

    /** The written value, or the value the server uses when the directive is absent. */
    @SuppressWarnings("unchecked")
    <T> T effective(Directive<T> directive) {
        T value = (T) values.get(directive);
        return value != null ? value : directive.effective();
    }

    boolean isSet(Directive<?> directive) {
        return values.get(directive) != null;
    }

    <T> void set(Directive<T> directive, T value) {
        values.put(directive, value);
    }

    void append(Directive<List<ArrayEntry>> directive, ArrayEntry entry) {
        List<ArrayEntry> entries = new ArrayList<>(get(directive));
        entries.add(entry);
        values.put(directive, List.copyOf(entries));
    }
}
