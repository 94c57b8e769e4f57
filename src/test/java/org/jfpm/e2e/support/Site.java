package org.jfpm.e2e.support;

/**
 * A backend with nginx in front and an HTTP client, closed in reverse order. The usual
 * arrangement of a test class: {@code static Site site = Site.start(4)} in @BeforeAll.
 */
public final class Site implements AutoCloseable {

    public final FastCgiBackend backend;
    public final Nginx nginx;
    public final Http http;

    private Site(FastCgiBackend backend, Nginx nginx) {
        this.backend = backend;
        this.nginx = nginx;
        this.http = new Http(nginx.baseUrl());
    }

    public static Site start(int workers) {
        return start(workers, 0, "");
    }

    /** {@code keepalive > 0}: nginx keeps FastCGI connections open ({@code fastcgi_keep_conn on}). */
    public static Site start(int workers, int keepalive, String locationExtra) {
        FastCgiBackend backend = Backends.start(workers);
        try {
            Nginx nginx = Nginx.passingTo(backend.nginxAddress())
                    .keepalive(keepalive)
                    .locationExtra(locationExtra)
                    .start();
            return new Site(backend, nginx);
        } catch (RuntimeException | Error e) {
            try {
                backend.close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** For assertion messages: both logs. */
    public String logs() {
        return backend.describe() + "\n--- nginx error.log\n" + nginx.errorLog();
    }

    @Override
    public void close() {
        try {
            http.close();
            nginx.close();
        } finally {
            backend.close();
        }
    }
}
