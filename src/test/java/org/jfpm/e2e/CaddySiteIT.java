package org.jfpm.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.jfpm.e2e.support.FrontEnds;
import org.jfpm.e2e.support.WebServer;

/** examples/caddy/Caddyfile: Caddy 2 with {@code php_fastcgi unix//SOCKET} (Debian 12's caddy 2.6). */
class CaddySiteIT extends FrontEndContract {

    WebServer caddy;

    @Override
    AutoCloseable startFrontEnd(Path socket, Path docroot) {
        assumeTrue(WebServer.installed(FrontEnds.CADDY), "Caddy is not installed (apt-get install caddy)");
        caddy = FrontEnds.caddy("caddy/Caddyfile", socket, docroot);
        return caddy;
    }

    @Override
    String baseUrl() {
        return caddy.baseUrl();
    }

    @Override
    String frontEndLogs() {
        return caddy.describe();
    }

    @Override
    boolean keepsConnections() {
        // Caddy 2.6's FastCGI transport opens a connection per request
        return false;
    }
}
