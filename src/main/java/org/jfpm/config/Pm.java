package org.jfpm.config;

import java.util.Locale;
import java.util.Optional;

/** The process manager of a pool ({@code pm = static|dynamic|ondemand}, any case). */
public enum Pm {
    STATIC, DYNAMIC, ONDEMAND;

    /** The name as php-fpm prints it (dump, status page). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Pm> parse(String value) {
        for (Pm pm : values()) {
            if (pm.label().equalsIgnoreCase(value)) {
                return Optional.of(pm);
            }
        }
        return Optional.empty();
    }
}
