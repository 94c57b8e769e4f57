package org.jfpm.e2e;

import java.nio.file.Path;
import org.jfpm.e2e.support.FrontEnds;
import org.jfpm.e2e.support.WebServer;

/** examples/nginx/jfpm-site.conf: nginx with a new FastCGI connection per request. */
class NginxSiteIT extends FrontEndContract {

    WebServer nginx;

    @Override
    AutoCloseable startFrontEnd(Path socket, Path docroot) {
        nginx = FrontEnds.nginx(example(), socket, docroot);
        return nginx;
    }

    /** The example configuration under examples/ this test runs. */
    String example() {
        return "nginx/jfpm-site.conf";
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
        return false;
    }
}
