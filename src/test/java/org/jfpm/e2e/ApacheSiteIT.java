package org.jfpm.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.jfpm.e2e.support.FrontEnds;
import org.jfpm.e2e.support.WebServer;

/**
 * examples/apache2/jfpm.conf: Apache 2.4, mod_proxy_fcgi,
 * {@code SetHandler "proxy:unix:SOCKET|fcgi://localhost"}; a new FastCGI connection per request.
 */
class ApacheSiteIT extends FrontEndContract {

    WebServer apache;

    @Override
    AutoCloseable startFrontEnd(Path socket, Path docroot) {
        assumeTrue(WebServer.installed(FrontEnds.APACHE), "Apache is not installed (apt-get install apache2)");
        apache = FrontEnds.apache(example(), socket, docroot);
        return apache;
    }

    /** The example configuration under examples/ this test runs. */
    String example() {
        return "apache2/jfpm.conf";
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
        return false;
    }
}
