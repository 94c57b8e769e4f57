package org.jfpm.e2e;

/**
 * examples/nginx/jfpm-site-keepalive.conf: nginx with {@code fastcgi_keep_conn on} and an
 * upstream {@code keepalive 16}, four times the pool's workers; the kept connections end in
 * jfpm's master, so none of them holds a worker.
 */
class NginxKeepaliveSiteIT extends NginxSiteIT {

    @Override
    String example() {
        return "nginx/jfpm-site-keepalive.conf";
    }

    @Override
    boolean keepsConnections() {
        return true;
    }
}
