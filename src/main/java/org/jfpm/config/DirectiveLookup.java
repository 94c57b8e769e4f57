package org.jfpm.config;

import java.util.List;

/** Finds a directive by the name written in the file. */
final class DirectiveLookup {
    private DirectiveLookup() {
    }

    /** A scalar directive, name compared case-insensitively (php-fpm uses strcasecmp); null if unknown. */
    static Directive<?> scalar(Scope scope, String name) {
        List<Directive<?>> all = scope == Scope.GLOBAL ? GlobalDirectives.ALL : PoolDirectives.ALL;
        for (Directive<?> d : all) {
            if (!(d.type() instanceof ArrayType) && d.name().equalsIgnoreCase(name)) {
                return d;
            }
        }
        return null;
    }

    /** An array directive, name compared exactly ({@code PHP_VALUE[x]} is unknown, observed); null if unknown. */
    @SuppressWarnings("unchecked")
    static Directive<List<ArrayEntry>> array(String name) {
        for (Directive<?> d : PoolDirectives.ALL) {
            if (d.type() instanceof ArrayType && d.name().equals(name)) {
                return (Directive<List<ArrayEntry>>) d;
            }
        }
        return null;
    }
}
