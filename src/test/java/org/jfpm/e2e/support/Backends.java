package org.jfpm.e2e.support;

/**
 * Chooses what the HTTP-level tests run against, from the system property {@code e2e.backend}:
 * <ul>
 *   <li>{@code jfpm} (default): bin/jfpm with a static pool of 4;</li>
 *   <li>{@code php-fpm}: Debian's php-fpm8.2 with the same configuration (the reference);</li>
 *   <li>{@code php-cgi}: bare {@code php-cgi -b} with 4 children (proves nginx and the tests).</li>
 * </ul>
 */
public final class Backends {

    private Backends() {}

    public static String name() {
        return System.getProperty("e2e.backend", "jfpm");
    }

    /** A backend with {@code workers} PHP workers serving the test scripts. */
    public static FastCgiBackend start(int workers) {
        return switch (name()) {
            case "jfpm", "php-fpm" -> Jfpm.pool().maxChildren(workers).start();
            case "php-cgi" -> PhpCgiDirect.start(workers);
            default -> throw new IllegalArgumentException("unknown e2e.backend '" + name() + "'");
        };
    }

    /** True when the backend is a master with php-fpm's log and signals (jfpm or php-fpm8.2). */
    public static boolean hasMaster() {
        return !"php-cgi".equals(name());
    }
}
