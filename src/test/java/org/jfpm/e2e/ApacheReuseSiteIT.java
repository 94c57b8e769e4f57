package org.jfpm.e2e;

/**
 * examples/apache2/jfpm-reuse.conf: as ApacheSiteIT, with a {@code <Proxy>} worker for the
 * socket that says {@code enablereuse=on}, so Apache's children keep their FastCGI connections.
 */
class ApacheReuseSiteIT extends ApacheSiteIT {

    @Override
    String example() {
        return "apache2/jfpm-reuse.conf";
    }

    @Override
    boolean keepsConnections() {
        return true;
    }
}
