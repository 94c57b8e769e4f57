package org.jfpm.front;

import org.jfpm.config.PoolConfig;
import org.jfpm.pool.Pool;

/**
 * Requests the master answers itself, without a worker, so they answer even
 * when every worker is busy: {@code ping.path} (php-fpm's fpm_status.c matches
 * it, and {@code pm.status_path}, against the request's SCRIPT_NAME, without
 * the query string).
 */
final class Router {
    private final Pool pool;
    private final String pingPath;
    private final String pingResponse;

    Router(Pool pool) {
        this.pool = pool;
        PoolConfig config = pool.config();
        this.pingPath = config.pingPath();
        this.pingResponse = config.pingResponse();
    }

    boolean answersInMaster(RequestInfo info) {
        String uri = info.scriptName();
        return uri != null && info.method() != null && uri.equals(pingPath);
    }

    /** The CGI response (headers, blank line, body) for a request {@link #answersInMaster} accepted. */
    MasterPage answer(RequestInfo info) {
        pool.scoreboard().requestAccepted(); // php-fpm counts ping and status requests too
        return MasterPage.ping(pingResponse, "HEAD".equals(info.method()));
    }
}
