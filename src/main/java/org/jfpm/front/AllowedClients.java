package org.jfpm.front;

import org.jfpm.log.PoolLog;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code listen.allowed_clients} of a TCP pool (php-fpm's fcgi_set_allowed_clients and
 * fcgi_is_allowed, checked right after accept): split on ',' with no trimming, each item
 * a literal IPv4 or IPv6 address. A bad item is logged and skipped; with no valid item
 * nobody is admitted. Java sees an IPv4 peer of a dual-stack socket as IPv4, so IPv4
 * items match v4-mapped peers as php-fpm's do.
 */
final class AllowedClients {
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<InetAddress> allowed;

    private AllowedClients(Set<InetAddress> allowed) {
        this.allowed = allowed;
    }

    /** Null when the directive is unset (everyone is admitted); bad items are logged as php-fpm logs them. */
    static AllowedClients parse(PoolLog log, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        Set<InetAddress> set = new HashSet<>();
        for (String item : value.split(",", -1)) {
            InetAddress address = literal(item);
            if (address == null) {
                log.error("Wrong IP address '" + item + "' in listen.allowed_clients");
            } else {
                set.add(address);
            }
        }
        if (set.isEmpty()) {
            log.error("There are no allowed addresses");
        }
        return new AllowedClients(Set.copyOf(set));
    }

    /** inet_pton(3)'s forms only: a dotted quad, or an IPv6 literal without brackets or zone; never a name. */
    static InetAddress literal(String item) {
        try {
            if (DOTTED_QUAD.matcher(item).matches()) {
                return Inet4Address.ofLiteral(item);
            }
            if (item.indexOf(':') >= 0 && item.indexOf('[') < 0 && item.indexOf('%') < 0) {
                return java.net.Inet6Address.ofLiteral(item);
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    boolean admits(InetAddress peer) {
        return allowed.contains(peer);
    }
}
