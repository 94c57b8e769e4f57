package org.jfpm.watch;

import org.jfpm.log.PoolLog;
import java.util.Map;
import java.util.WeakHashMap;
import org.jfpm.config.PoolConfig;
import org.jfpm.request.RequestInfo;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.os.Signals;
import org.jfpm.pool.Pool;
import org.jfpm.pool.Worker;
import org.jfpm.pool.WorkerState;

/**
 * A pool's request timers, php-fpm's timeout heartbeat (fpm_request.c
 * fpm_request_check_timed_out; fpm_process_ctl.c fpm_pctl_heartbeat): one thread per pool that
 * uses {@code request_slowlog_timeout} or {@code request_terminate_timeout},
 * ticking every min(timeout) / 3 (at least 130 ms). Pools without them have
 * no thread and their requests carry no timer.
 *
 * <p>Each tick looks at every worker with a request (Running; Finishing too with
 * {@code request_terminate_timeout_track_finished}), time counted from when
 * the worker took the request:
 * <ul>
 *   <li>slow (Running only, once per request): php-fpm's WARNING, an entry in
 *       the slowlog, {@code slow requests} + 1;</li>
 *   <li>terminate: php-fpm's WARNING, then SIGKILL. php-fpm sends SIGTERM,
 *       which ends its own children at once; php-cgi only stops a blocking
 *       call on SIGTERM and lets a busy script run on to the end (checked:
 *       a CPU loop outlives SIGTERM by seconds), so jfpm kills. The relay
 *       turns the death into an error for the web server (502 at nginx), no
 *       access line is written, and the pool starts a replacement.</li>
 * </ul>
 */
public final class RequestWatch {
    private static final long MIN_TICK_MILLIS = 130;

    private final Pool pool;
    private final long slowMicros;
    private final long terminateMicros;
    private final boolean trackFinished;
    private final long tickMillis;
    private final Slowlog slowlog;
    /** The request number of each worker already reported slow / already terminated. */
    private final Map<Worker, Integer> slowSeen = new WeakHashMap<>();
    private final Map<Worker, Integer> terminated = new WeakHashMap<>();
    private volatile boolean stopped;
    private Thread thread;

    private RequestWatch(Pool pool) {
        PoolConfig pc = pool.config();
        this.pool = pool;
        this.slowMicros = pc.requestSlowlogTimeout() * 1_000_000L;
        this.terminateMicros = pc.requestTerminateTimeout() * 1_000_000L;
        this.trackFinished = pc.requestTerminateTimeoutTrackFinished();
        long shortest = Long.MAX_VALUE;
        if (pc.requestSlowlogTimeout() > 0) {
            shortest = pc.requestSlowlogTimeout();
        }
        if (pc.requestTerminateTimeout() > 0) {
            shortest = Math.min(shortest, pc.requestTerminateTimeout());
        }
        this.tickMillis = Math.max(MIN_TICK_MILLIS, shortest * 1000 / 3);
        this.slowlog = slowMicros > 0 && pc.slowlog() != null ? new Slowlog(pc.slowlog(), pc.requestSlowlogTraceDepth()) : null;
    }

    /** The pool's watch, started; null when the pool sets neither timeout. */
    public static RequestWatch start(Pool pool) {
        PoolConfig pc = pool.config();
        if (pc.requestSlowlogTimeout() <= 0 && pc.requestTerminateTimeout() <= 0) {
            return null;
        }
        RequestWatch watch = new RequestWatch(pool);
        watch.thread = Thread.ofPlatform().daemon().name("watch-" + pool.name()).start(watch::run);
        return watch;
    }

    long tickMillis() {
        return tickMillis;
    }

    public void stop() {
        stopped = true;
        thread.interrupt();
    }

    private void run() {
        while (!stopped) {
            try {
                Thread.sleep(tickMillis);
            } catch (InterruptedException e) {
                return;
            }
            try {
                check();
            } catch (RuntimeException e) {
                pool.log().error("request timeout check failed: " + e);
            }
        }
    }

    private void check() {
        for (Worker w : pool.snapshot()) {
            WorkerState state = w.state();
            boolean tracked = state == WorkerState.RUNNING || (trackFinished && state == WorkerState.FINISHING);
            if (!tracked || w.isBroken()) {
                continue;
            }
            long elapsed = w.requestDurationMicros();
            int request = w.requests();
            if (slowMicros > 0 && state == WorkerState.RUNNING && elapsed >= slowMicros
                    && !Integer.valueOf(request).equals(slowSeen.get(w))) {
                slowSeen.put(w, request);
                slow(w, elapsed);
            }
            if (terminateMicros > 0 && elapsed >= terminateMicros
                    && !Integer.valueOf(request).equals(terminated.get(w))) {
                terminated.put(w, request);
                terminate(w, elapsed);
            }
        }
    }

    private void slow(Worker w, long elapsedMicros) {
        Log.warning(describe(w, elapsedMicros) + " executing too slow (" + seconds(elapsedMicros) + " sec), logging");
        if (slowlog != null) {
            slowlog.write(pool.name(), w.pid(), w.request());
        }
        pool.scoreboard().countSlowRequest();
    }

    private void terminate(Worker w, long elapsedMicros) {
        Log.warning(describe(w, elapsedMicros) + " execution timed out (" + seconds(elapsedMicros)
                + " sec), terminating");
        try {
            w.noteSignal(Signals.SIGKILL);
            Native.kill(w.pid(), Signals.SIGKILL);
        } catch (Native.NativeException e) {
            pool.log().warning("failed to kill child " + w.pid() + ": " + e.getMessage());
        }
    }

    /** {@code [pool %s] child %d, script '%s' (request: "%s %s%s%s")}. */
    private String describe(Worker w, long elapsedMicros) {
        RequestInfo info = w.request();
        String query = info.queryString();
        return PoolLog.prefixed(pool.name(), "child " + w.pid() + ", script '" + printable(info.scriptFilename())
                + "' (request: \"" + nullToEmpty(info.method()) + " " + nullToEmpty(info.scriptName())
                + (query.isEmpty() ? "" : "?") + query + "\")");
    }

    /** php-fpm writes bytes below 0x20 or above 0x7f of the script name as '.'. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c > 0x7f ? '.' : c);
        }
        return out.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** {@code %d.%06d} seconds. */
    static String seconds(long micros) {
        return micros / 1_000_000 + "." + String.format("%06d", micros % 1_000_000);
    }
}
