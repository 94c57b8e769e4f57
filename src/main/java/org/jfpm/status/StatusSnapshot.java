package org.jfpm.status;

import java.util.ArrayList;
import java.util.List;
import org.jfpm.request.RequestInfo;
import org.jfpm.os.RequestUsage;
import org.jfpm.os.ProcessUsage;
import org.jfpm.pool.Histogram;
import org.jfpm.pool.Pool;
import org.jfpm.pool.Recycle;
import org.jfpm.pool.Scoreboard;
import org.jfpm.pool.Worker;
import org.jfpm.pool.WorkerState;
import org.jfpm.worker.WorkerProcess;

/**
 * One reading of a pool's scoreboard and its workers, taken once per status
 * request; every format is a small writer over it (php-fpm's fpm_status.c
 * exports the same values to each of its formats).
 *
 * <p>Times are epoch seconds; the writers format them as php-fpm does per
 * format. {@code startSince} and the workers' {@code startSince} are computed
 * against the same {@code now}.
 */
public record StatusSnapshot(
        String pool,
        String processManager,
        long startTime,
        long startSince,
        long acceptedConn,
        int listenQueue,
        int maxListenQueue,
        int listenQueueLen,
        int idleProcesses,
        int activeProcesses,
        int totalProcesses,
        int maxActiveProcesses,
        long maxChildrenReached,
        long slowRequests,
        List<Process> processes,
        JfpmFigures jfpm) {

    /** As php-fpm's figures alone (jfpm's own all zero). */
    public StatusSnapshot(String pool, String processManager, long startTime, long startSince, long acceptedConn,
                          int listenQueue, int maxListenQueue, int listenQueueLen, int idleProcesses,
                          int activeProcesses, int totalProcesses, int maxActiveProcesses, long maxChildrenReached,
                          long slowRequests, List<Process> processes) {
        this(pool, processManager, startTime, startSince, acceptedConn, listenQueue, maxListenQueue, listenQueueLen,
                idleProcesses, activeProcesses, totalProcesses, maxActiveProcesses, maxChildrenReached, slowRequests,
                processes, JfpmFigures.NONE);
    }

    /**
     * jfpm's own pool figures, shown after php-fpm's: the queue's refusals (jfpm.queue_timeout,
     * jfpm.queue_limit), workers replaced per reason, and the two latency histograms.
     */
    public record JfpmFigures(int maxChildren, long oldestWaitMicros, long queueTimeouts, long queueRejected, long recycledMaxRequests,
                              long recycledMaxMemory, long recycledMaxLifetime, Histogram.Reading requestDuration,
                              Histogram.Reading queueWait) {
        static final JfpmFigures NONE = new JfpmFigures(0, 0, 0, 0, 0, 0, 0, new Histogram().read(),
                new Histogram().read());

        static JfpmFigures of(Pool pool) {
            Scoreboard b = pool.scoreboard();
            return new JfpmFigures(pool.config().pmMaxChildren(), pool.oldestWaitMicros(), b.queueTimeouts(), b.queueRejected(),
                    b.recycles(Recycle.MAX_REQUESTS), b.recycles(Recycle.MAX_MEMORY), b.recycles(Recycle.MAX_LIFETIME),
                    b.requestDuration().read(), b.queueWait().read());
        }
    }

    /** One worker, php-fpm's per-process fields of {@code full}. */
    public record Process(
            long pid,
            String state,
            long startTime,
            long startSince,
            long requests,
            long requestDuration,
            String requestMethod,
            String requestUri,
            long contentLength,
            String user,
            String script,
            double lastRequestCpu,
            long lastRequestMemory,
            long residentBytes) {

        /** As php-fpm's fields alone (resident memory unknown: 0). */
        public Process(long pid, String state, long startTime, long startSince, long requests, long requestDuration,
                       String requestMethod, String requestUri, long contentLength, String user, String script,
                       double lastRequestCpu, long lastRequestMemory) {
            this(pid, state, startTime, startSince, requests, requestDuration, requestMethod, requestUri, contentLength,
                    user, script, lastRequestCpu, lastRequestMemory, 0);
        }
    }

    /**
     * Reads {@code pool} now. {@code listenQueueLen} is the capacity the front
     * reports (the listen backlog). Idle and active are counted from the same
     * worker list the {@code full} part shows, so the page is self-consistent; a worker
     * forked and not yet listening is Idle, as php-fpm shows a child from its fork.
     * {@code withMemory} reads each worker's resident memory from /proc (for {@code full}).
     */
    public static StatusSnapshot of(Pool pool, int listenQueueLen, long nowMillis, boolean withMemory) {
        Scoreboard board = pool.scoreboard();
        long now = nowMillis / 1000;
        List<Process> procs = new ArrayList<>();
        int idle = 0;
        Pool.Processes processes = pool.processes();
        for (Worker w : processes.workers()) {
            WorkerState state = w.state();
            if (state == WorkerState.IDLE) {
                idle++;
            }
            procs.add(process(w, state, now, withMemory));
        }
        for (WorkerProcess.Spawned s : processes.spawning()) {
            idle++;
            long started = s.startMillis() / 1000;
            procs.add(new Process(s.pid(), WorkerState.IDLE.label(), started, now - started, 0, 0,
                    "-", "-", 0, "-", "-", 0, 0, withMemory ? ProcessUsage.residentBytes(s.pid()) : 0));
        }
        long start = board.startMillis() / 1000;
        return new StatusSnapshot(pool.name(), pool.config().pm().label(), start, now - start,
                board.acceptedConn(), pool.queueLength(), board.maxListenQueue(), listenQueueLen,
                idle, procs.size() - idle, procs.size(), board.maxActive(), board.maxChildrenReached(),
                board.slowRequests(), List.copyOf(procs), JfpmFigures.of(pool));
    }

    private static Process process(Worker w, WorkerState state, long now, boolean withMemory) {
        long started = w.startMillis() / 1000;
        RequestInfo info = w.request() == RequestInfo.EMPTY ? null : w.request();
        String method = "-";
        String uri = "-";
        String user = "-";
        String script = "-";
        long length = 0;
        if (info != null) {
            method = orDash(info.method());
            uri = info.scriptName() == null || info.scriptName().isEmpty() ? "-" : info.scriptName();
            if (!info.queryString().isEmpty()) {
                uri += "?" + info.queryString();
            }
            user = orDash(info.user());
            script = orDash(info.scriptFilename());
            length = info.contentLength();
        }
        boolean idle = state == WorkerState.IDLE;
        RequestUsage usage = idle ? w.lastUsage() : null;
        return new Process(w.pid(), state.label(), started, now - started, w.requests(), w.requestDurationMicros(),
                method, uri, length, user, script,
                usage == null ? 0 : usage.cpuPercent(), usage == null ? 0 : usage.peakMemoryBytes(),
                withMemory ? ProcessUsage.residentBytes(w.pid()) : 0);
    }

    /** How a field's value is written: text as is (escaped per format), a number, or a time. */
    public enum Kind { STRING, NUMBER, TIME }

    /**
     * One named value. {@code key} is the JSON key and the HTML label (XML: spaces
     * become {@code -}); {@code textLabel} is the text format's label, which differs
     * only for {@code request URI}.
     */
    public record Field(String key, String textLabel, Kind kind, String value) {
        static Field string(String key, String value) {
            return new Field(key, key, Kind.STRING, value);
        }

        static Field number(String key, long value) {
            return new Field(key, key, Kind.NUMBER, Long.toString(value));
        }

        static Field time(String key, long epochSeconds) {
            return new Field(key, key, Kind.TIME, Long.toString(epochSeconds));
        }
    }

    /** The pool's fields as the status page shows them: php-fpm's, then jfpm's own. */
    public List<Field> poolFields() {
        List<Field> all = new ArrayList<>(fpmPoolFields());
        all.add(Field.number("max children", jfpm.maxChildren()));
        all.add(Field.number("queue oldest wait", jfpm.oldestWaitMicros()));
        all.add(Field.number("queue timeouts", jfpm.queueTimeouts()));
        all.add(Field.number("queue rejected", jfpm.queueRejected()));
        all.add(Field.number("recycled by requests", jfpm.recycledMaxRequests()));
        all.add(Field.number("recycled by memory", jfpm.recycledMaxMemory()));
        all.add(Field.number("recycled by lifetime", jfpm.recycledMaxLifetime()));
        return all;
    }

    /** php-fpm's pool fields in its order (fpm_get_status() returns these alone). */
    public List<Field> fpmPoolFields() {
        return List.of(
                Field.string("pool", pool),
                Field.string("process manager", processManager),
                Field.time("start time", startTime),
                Field.number("start since", startSince),
                Field.number("accepted conn", acceptedConn),
                Field.number("listen queue", listenQueue),
                Field.number("max listen queue", maxListenQueue),
                Field.number("listen queue len", listenQueueLen),
                Field.number("idle processes", idleProcesses),
                Field.number("active processes", activeProcesses),
                Field.number("total processes", totalProcesses),
                Field.number("max active processes", maxActiveProcesses),
                Field.number("max children reached", maxChildrenReached),
                Field.number("slow requests", slowRequests));
    }

    /** A worker's fields in php-fpm's order. */
    public static List<Field> processFields(Process p) {
        return List.of(
                Field.number("pid", p.pid()),
                Field.string("state", p.state()),
                Field.time("start time", p.startTime()),
                Field.number("start since", p.startSince()),
                Field.number("requests", p.requests()),
                Field.number("request duration", p.requestDuration()),
                Field.string("request method", p.requestMethod()),
                new Field("request uri", "request URI", Kind.STRING, p.requestUri()),
                Field.number("content length", p.contentLength()),
                Field.string("user", p.user()),
                Field.string("script", p.script()),
                new Field("last request cpu", "last request cpu", Kind.NUMBER,
                        String.format(java.util.Locale.ROOT, "%.2f", p.lastRequestCpu())),
                Field.number("last request memory", p.lastRequestMemory()),
                Field.number("resident memory", p.residentBytes()));
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }
}
