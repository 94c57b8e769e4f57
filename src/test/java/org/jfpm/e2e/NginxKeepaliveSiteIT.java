package org.jfpm.e2e;

import java.nio.file.Path;
import org.jfpm.e2e.support.FrontEnds;
import org.jfpm.e2e.support.WebServer;

/**
 * examples/nginx/jfpm-site-keepalive.conf: nginx with {@code fastcgi_keep_conn on} and an
 * upstream {@code keepalive 16}, four times the pool's workers; the kept connections end in
 * jfpm's master, so none of them holds a worker.
 */
class NginxKeepaliveSiteIT extends FrontEndContract {

    WebServer nginx;

    @Override
    AutoCloseable startFrontEnd(Path socket, Path docroot) {
        nginx = FrontEnds.nginx("nginx/jfpm-site-keepalive.conf", socket, docroot);
        return nginx;
    }

    @Override
    String baseUrl() {
        return nginx.baseUrl();
    }

    @Override
    String frontEndLogs() {
        return nginx.describe();
    }

    @Override
    boolean keepsConnections() {
        return true;
    }
}
