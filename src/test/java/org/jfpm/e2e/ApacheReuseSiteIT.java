package org.jfpm.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.jfpm.e2e.support.FrontEnds;
import org.jfpm.e2e.support.WebServer;

/**
 * examples/apache2/jfpm-reuse.conf: as ApacheSiteIT, with a {@code <Proxy>} worker for the
 * socket that says {@code enablereuse=on}, so Apache's children keep their FastCGI connections.
 */
class ApacheReuseSiteIT extends FrontEndContract {

    WebServer apache;

    @Override
    AutoCloseable startFrontEnd(Path socket, Path docroot) {
        assumeTrue(WebServer.installed(FrontEnds.APACHE), "Apache is not installed (apt-get install apache2)");
        apache = FrontEnds.apache("apache2/jfpm-reuse.conf", socket, docroot);
        return apache;
    }

    @Override
    String baseUrl() {
        return apache.baseUrl();
    }

    @Override
    String frontEndLogs() {
        return apache.describe();
    }

    @Override
    boolean keepsConnections() {
        return true;
    }
}
