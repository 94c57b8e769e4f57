package org.jfpm.status;

import org.jfpm.pool.Histogram;

/**
 * The pool's numbers as OpenMetrics text (php-fpm 8.1+): {@code phpfpm_*}
 * metrics with php-fpm's HELP and TYPE lines (the TYPE before HELP of
 * {@code phpfpm_listen_queue_length} is php-fpm's own), then jfpm's {@code jfpm_*}
 * metrics, written to the OpenMetrics 1.0 specification (counters sampled as
 * {@code _total}, histograms as cumulative {@code _bucket}s with {@code _sum} and
 * {@code _count}); with {@code full}, each worker's resident memory.
 */
final class OpenMetricsStatus implements StatusWriter {

    @Override
    public String write(StatusSnapshot s, boolean full) {
        StringBuilder out = new StringBuilder(2560);
        metric(out, "up", "Could pool " + escape(s.pool()) + " using a " + escape(s.processManager())
                + " PM on PHP-FPM be reached?", "gauge", 1);
        metric(out, "start_since", "The number of seconds since FPM has started.", "counter", s.startSince());
        metric(out, "accepted_connections", "The number of requests accepted by the pool.", "counter",
                s.acceptedConn());
        metric(out, "listen_queue", "The number of requests in the queue of pending connections.", "gauge",
                s.listenQueue());
        metric(out, "max_listen_queue", "The maximum number of requests in the queue of pending connections since "
                + "FPM has started.", "counter", s.maxListenQueue());
        out.append("# TYPE phpfpm_listen_queue_length gauge\n"
                + "# HELP phpfpm_listen_queue_length The size of the socket queue of pending connections.\n"
                + "phpfpm_listen_queue_length ").append(s.listenQueueLen()).append('\n');
        metric(out, "idle_processes", "The number of idle processes.", "gauge", s.idleProcesses());
        metric(out, "active_processes", "The number of active processes.", "gauge", s.activeProcesses());
        metric(out, "total_processes", "The number of idle + active processes.", "gauge", s.totalProcesses());
        metric(out, "max_active_processes", "The maximum number of active processes since FPM has started.",
                "counter", s.maxActiveProcesses());
        metric(out, "max_children_reached", "The number of times, the process limit has been reached, when pm "
                + "tries to start more children (works only for pm 'dynamic' and 'ondemand').", "counter",
                s.maxChildrenReached());
        metric(out, "slow_requests", "The number of requests that exceeded your 'request_slowlog_timeout' value.",
                "counter", s.slowRequests());
        jfpm(out, s, full);
        return out.append("# EOF\n").toString();
    }

    private static void jfpm(StringBuilder out, StatusSnapshot s, boolean full) {
        StatusSnapshot.JfpmFigures j = s.jfpm();
        histogram(out, "jfpm_request_duration_seconds",
                "Time from a request reaching a worker to the worker's end of it.", j.requestDuration());
        histogram(out, "jfpm_queue_wait_seconds", "Time requests waited for a free worker.", j.queueWait());
        counter(out, "jfpm_queue_timeouts", "Requests answered 503 after waiting jfpm.queue_timeout.",
                j.queueTimeouts());
        counter(out, "jfpm_queue_rejected", "Requests answered 503 at once because jfpm.queue_limit requests waited.",
                j.queueRejected());
        out.append("# HELP jfpm_worker_recycles Workers replaced between two requests, by reason.\n"
                + "# TYPE jfpm_worker_recycles counter\n");
        recycles(out, "max_requests", j.recycledMaxRequests());
        recycles(out, "max_memory", j.recycledMaxMemory());
        recycles(out, "max_lifetime", j.recycledMaxLifetime());
        out.append("# HELP jfpm_max_children The pool's pm.max_children.\n"
                + "# TYPE jfpm_max_children gauge\n"
                + "jfpm_max_children ").append(j.maxChildren()).append('\n');
        if (full) {
            out.append("# HELP jfpm_worker_resident_bytes Resident memory of each worker process.\n"
                    + "# TYPE jfpm_worker_resident_bytes gauge\n");
            for (StatusSnapshot.Process p : s.processes()) {
                out.append("jfpm_worker_resident_bytes{pid=\"").append(p.pid()).append("\"} ")
                        .append(p.residentBytes()).append('\n');
            }
        }
    }

    private static void histogram(StringBuilder out, String name, String help, Histogram.Reading r) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" histogram\n");
        long[] cumulative = r.cumulative();
        for (int i = 0; i < Histogram.BOUNDS.length; i++) {
            out.append(name).append("_bucket{le=\"").append(Histogram.BOUNDS[i]).append("\"} ")
                    .append(cumulative[i]).append('\n');
        }
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(r.count()).append('\n')
                .append(name).append("_sum ").append(r.sumSeconds()).append('\n')
                .append(name).append("_count ").append(r.count()).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n")
                .append(name).append("_total ").append(value).append('\n');
    }

    private static void recycles(StringBuilder out, String reason, long value) {
        out.append("jfpm_worker_recycles_total{reason=\"").append(reason).append("\"} ").append(value).append('\n');
    }

    private static void metric(StringBuilder out, String name, String help, String type, long value) {
        out.append("# HELP phpfpm_").append(name).append(' ').append(help).append('\n')
                .append("# TYPE phpfpm_").append(name).append(' ').append(type).append('\n')
                .append("phpfpm_").append(name).append(' ').append(value).append('\n');
    }

    /** OpenMetrics HELP escaping: backslash and newline (a pool name is the only free text here). */
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
