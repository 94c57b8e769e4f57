package org.jfpm.front;

import org.jfpm.request.RequestInfo;
import java.time.ZoneId;
import org.jfpm.config.PoolConfig;
import org.jfpm.pool.Pool;
import org.jfpm.status.StatusPage;
import org.jfpm.status.StatusFormat;
import org.jfpm.status.StatusSnapshot;

/**
 * Requests the master answers itself, without a worker, so they answer even
 * when every worker is busy: {@code ping.path} and {@code pm.status_path}
 * (php-fpm's fpm_status.c matches both against the request's SCRIPT_NAME,
 * without the query string, ping first).
 */
final class Router {
    private final Pool pool;
    private final String pingPath;
    private final String pingResponse;
    private final String statusPath;
    private final int listenQueueLen;

    private Router(Pool pool, String statusPath, int listenQueueLen) {
        this.pool = pool;
        PoolConfig config = pool.config();
        this.pingPath = config.pingPath();
        this.pingResponse = config.pingResponse();
        this.statusPath = statusPath;
        this.listenQueueLen = listenQueueLen;
    }

    /** The router of a pool's own {@code listen} address. */
    static Router forPool(Pool pool, int listenQueueLen) {
        return new Router(pool, pool.config().pmStatusPath(), listenQueueLen);
    }

    /** The router of {@code pm.status_listen}: the status path is {@code /} when pm.status_path is unset. */
    static Router forStatusListen(Pool pool, int listenQueueLen) {
        String path = pool.config().pmStatusPath();
        return new Router(pool, path == null ? "/" : path, listenQueueLen);
    }

    boolean answersInMaster(RequestInfo info) {
        String uri = info.scriptName();
        return uri != null && info.method() != null && (uri.equals(pingPath) || uri.equals(statusPath));
    }

    /** The CGI response (headers, blank line, body) for a request {@link #answersInMaster} accepted. */
    MasterPage answer(RequestInfo info) {
        pool.scoreboard().requestAccepted(); // php-fpm counts ping and status requests too
        boolean head = "HEAD".equals(info.method());
        if (info.scriptName().equals(pingPath)) {
            return MasterPage.ping(pingResponse, head);
        }
        StatusSnapshot snapshot = StatusSnapshot.of(pool, listenQueueLen, System.currentTimeMillis(),
                StatusFormat.choose(info.queryString()).full());
        StatusPage.Answer answer = StatusPage.answer(snapshot, info.queryString(), head, ZoneId.systemDefault());
        return new MasterPage(answer.headers(), answer.body());
    }
}
