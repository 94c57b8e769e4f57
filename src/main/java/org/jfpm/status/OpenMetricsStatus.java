package org.jfpm.status;

/**
 * The pool's numbers as OpenMetrics text (php-fpm 8.1+): {@code phpfpm_*}
 * metrics with php-fpm's HELP and TYPE lines, {@code full} ignored. The TYPE
 * before HELP of {@code phpfpm_listen_queue_length} is php-fpm's own.
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
        return out.append("# EOF\n").toString();
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
