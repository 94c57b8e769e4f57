package org.jfpm.front;

import java.io.IOException;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.AccessLog;
import org.jfpm.pool.Pool;
import org.jfpm.watch.RequestWatch;

/**
 * What the master's front keeps for one pool besides the {@link Pool} itself:
 * the listen backlog it reports as {@code listen queue len}, the access
 * log and the request timers. Shared by the pool's listeners ({@code listen} and
 * {@code pm.status_listen}).
 */
public final class PoolFront {
    private final Pool pool;
    private final int backlog;
    private final AccessLog accessLog;
    private final RequestWatch watch;
    private final byte[] finishMarker;
    private final ScriptCheck scriptCheck;
    private final String phpHeaders;

    private PoolFront(Pool pool, int backlog, AccessLog accessLog) {
        this.pool = pool;
        this.backlog = backlog;
        this.accessLog = accessLog;
        this.watch = RequestWatch.start(pool); // null unless the pool sets a request timeout
        this.finishMarker = pool.spec().prelude() == null ? null : pool.spec().prelude().markerLine();
        this.scriptCheck = ScriptCheck.of(pool);
        this.phpHeaders = pool.spec().prelude() == null ? "" : pool.spec().prelude().phpHeaders();
    }

    /** The header lines PHP adds to every answer of this pool (X-Powered-By), for the master's own answers. */
    String phpHeaders() {
        return phpHeaders;
    }

    /** Prepares the pool's front; a failure is reported with php-fpm's message. */
    public static PoolFront open(Pool pool) throws Listener.BindFailure {
        int backlog = Math.min(ListenSocket.backlog(pool.config().listenBacklog()), ListenSocket.backlog(-1));
        PoolConfig pc = pool.config();
        AccessLog accessLog = null;
        if (pc.accessLog() != null && !pc.accessLog().isEmpty()) {
            try {
                accessLog = AccessLog.open(pc.name(), pc.accessLog(), pc.accessFormat(), pc.accessSuppressPaths());
            } catch (IOException e) {
                throw new Listener.BindFailure(e.getMessage());
            }
        }
        return new PoolFront(pool, backlog, accessLog);
    }

    /** The FCGI_STDERR content that means fastcgi_finish_request(), or null (no prelude). */
    byte[] finishMarker() {
        return finishMarker;
    }

    ScriptCheck scriptCheck() {
        return scriptCheck;
    }

    /** The pool's access log, or null when it keeps none. */
    AccessLog accessLog() {
        return accessLog;
    }

    /**
     * Reopens the pool's log files under their names: the master calls this on
     * SIGUSR1, after logrotate has moved them (php-fpm's fpm_log_open(1)).
     */
    public void reopenLogs() {
        if (accessLog == null) {
            return;
        }
        try {
            accessLog.reopen();
        } catch (IOException e) {
            pool.log().error(e.getMessage());
        }
    }

    /** Closes what the front opened for the pool (at the master's exit). */
    public void close() {
        if (watch != null) {
            watch.stop();
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }

    public Pool pool() {
        return pool;
    }

    /** min(listen.backlog, somaxconn) as listen(2) applies it: the status page's {@code listen queue len}. */
    public int backlog() {
        return backlog;
    }
}
