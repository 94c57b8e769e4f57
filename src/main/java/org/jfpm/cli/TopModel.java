package org.jfpm.cli;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.pool.Histogram;

/**
 * What {@code jfpm top} knows of each pool: the last reading of its status page (text,
 * {@code full}) and of its request-duration histogram (OpenMetrics), and the readings of
 * the last minute, from which it derives requests per second, p50/p99 and the 503s of
 * that minute. Pure: the pages and the clock come in, views go out.
 */
final class TopModel {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    /** Each reading asks the status page twice (text and OpenMetrics); both count in accepted conn. */
    static final int OWN_REQUESTS_PER_READING = 2;

    /** One worker as top shows it; {@code cpuPercent} is NaN when top cannot see its process (another host). */
    record Worker(long pid, String state, long requests, String script, long durationMicros, long residentBytes,
                  double cpuPercent) {
    }

    /**
     * One pool as top shows it; {@code problem} is set (and the rest empty) when it could not
     * be read. {@code host} is the status address it was read from when top was given
     * addresses (null for a configuration's pool); {@code name} is then the page's, null
     * while the host does not answer.
     */
    record PoolView(String host, String name, String pm, int active, int idle, int maxChildren, int queue,
                    long oldestWaitMicros, double requestsPerSecond, double p50, double p99, long refused,
                    long refusedLastMinute, List<Worker> workers, String problem) {
        static PoolView failed(String host, String name, String problem) {
            return new PoolView(host, name, "", 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0, 0, List.of(), problem);
        }

        long averageResidentBytes() {
            return workers.isEmpty() ? 0
                    : workers.stream().mapToLong(Worker::residentBytes).sum() / workers.size();
        }
    }

    /**
     * Every pool added up, the line top shows first when it shows more than one pool
     * (the hosts of a cluster): workers, queue, requests per second, 503s; pools that
     * could not be read count in {@code unreachable} and nowhere else.
     */
    record Total(int pools, int hosts, int unreachable, int active, int idle, int maxChildren, int queue,
                 double requestsPerSecond, long refusedLastMinute, long refused) {
    }

    static Total total(List<PoolView> views) {
        int unreachable = 0;
        int active = 0;
        int idle = 0;
        int max = 0;
        int queue = 0;
        double rps = 0;
        long refusedLastMinute = 0;
        long refused = 0;
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (PoolView v : views) {
            if (v.host() != null) {
                hosts.add(v.host());
            }
            if (v.problem() != null) {
                unreachable++;
                continue;
            }
            active += v.active();
            idle += v.idle();
            max += v.maxChildren();
            queue += v.queue();
            rps += v.requestsPerSecond();
            refusedLastMinute += v.refusedLastMinute();
            refused += v.refused();
        }
        return new Total(views.size(), hosts.size(), unreachable, active, idle, max, queue, rps, refusedLastMinute,
                refused);
    }

    /** A status page read into its pool fields and one field map per worker. */
    record Page(Map<String, String> pool, List<Map<String, String>> workers, long[] durationBuckets) {
        long number(String field) {
            try {
                return Long.parseLong(pool.getOrDefault(field, "0"));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    private record Sample(long nanos, long accepted, long refused, long[] buckets, Map<Long, Long> cpuTicks) {
    }

    private final Map<String, ArrayDeque<Sample>> history = new HashMap<>();

    /** Splits the text status page ({@code ?full}) and the OpenMetrics page into a {@link Page}. */
    static Page parse(String textFull, String openMetrics) {
        String[] blocks = textFull.split("\n\\*{24}\n");
        Map<String, String> pool = fields(blocks[0]);
        List<Map<String, String>> workers = new ArrayList<>();
        for (int i = 1; i < blocks.length; i++) {
            workers.add(fields(blocks[i]));
        }
        return new Page(pool, workers, buckets(openMetrics, "jfpm_request_duration_seconds_bucket{le=\""));
    }

    private static Map<String, String> fields(String block) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : block.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return out;
    }

    /** The cumulative bucket counts of one histogram, in the page's order (+Inf last); empty if absent. */
    static long[] buckets(String openMetrics, String prefix) {
        List<Long> counts = new ArrayList<>();
        for (String line : openMetrics.split("\n")) {
            if (line.startsWith(prefix)) {
                counts.add((long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Takes one reading of {@code pool} at {@code nowNanos}; {@code cpuTicks} are the workers'
     * utime + stime (USER_HZ) now. Returns the view with the rates of the last interval and
     * the quantiles and 503s of the last minute.
     */
    PoolView update(String pool, Page page, long nowNanos, Map<Long, Long> cpuTicks) {
        return update(null, pool, page, nowNanos, cpuTicks);
    }

    /**
     * As {@link #update(String, Page, long, Map)} for a pool read from a status address
     * ({@code host}): its history is the address's, its name the page's, and its workers'
     * CPU unknown when {@code cpuTicks} is null (top cannot see another host's processes).
     */
    PoolView update(String host, String pool, Page page, long nowNanos, Map<Long, Long> cpuTicks) {
        String key = host != null ? host : pool;
        String name = host != null ? page.pool().getOrDefault("pool", "?") : pool;
        ArrayDeque<Sample> samples = history.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (cpuTicks == null) {
            return update(host, name, page, nowNanos, Map.of(), samples, false);
        }
        return update(host, name, page, nowNanos, cpuTicks, samples, true);
    }

    private PoolView update(String host, String pool, Page page, long nowNanos, Map<Long, Long> cpuTicks,
                            ArrayDeque<Sample> samples, boolean cpuKnown) {
        long refused = page.number("queue timeouts") + page.number("queue rejected");
        Sample now = new Sample(nowNanos, page.number("accepted conn"), refused, page.durationBuckets(), cpuTicks);
        Sample previous = samples.peekLast();
        samples.addLast(now);
        while (samples.size() > 2 && nowNanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
            samples.removeFirst();
        }
        Sample oldest = samples.peekFirst();
        double seconds = previous == null ? 0 : (nowNanos - previous.nanos()) / 1e9;
        double rps = seconds > 0
                ? Math.max(0, now.accepted() - previous.accepted() - OWN_REQUESTS_PER_READING) / seconds : 0;
        Histogram.Reading minute = difference(now.buckets(), oldest == now ? new long[0] : oldest.buckets());
        List<Worker> workers = new ArrayList<>();
        for (Map<String, String> w : page.workers()) {
            long pid = number(w, "pid");
            double cpu = cpuKnown ? 0 : Double.NaN;
            Long ticks = cpuTicks.get(pid);
            Long before = previous == null ? null : previous.cpuTicks().get(pid);
            if (ticks != null && before != null && seconds > 0) {
                cpu = Math.max(0, ticks - before) / 100.0 / seconds * 100;
            }
            workers.add(new Worker(pid, w.getOrDefault("state", "-"), number(w, "requests"),
                    w.getOrDefault("script", "-"), number(w, "request duration"), number(w, "resident memory"), cpu));
        }
        return new PoolView(host, pool, page.pool().getOrDefault("process manager", "-"),
                (int) page.number("active processes"), (int) page.number("idle processes"),
                (int) page.number("max children"), (int) page.number("listen queue"), page.number("queue oldest wait"),
                rps, minute.quantileBound(0.5), minute.quantileBound(0.99), refused, refused - oldest.refused(),
                workers, null);
    }

    private static Histogram.Reading difference(long[] now, long[] before) {
        if (now.length != Histogram.BOUNDS.length + 1) {
            return new Histogram().read(); // no histogram on the page: not a jfpm status page
        }
        long[] d = now.clone();
        if (before.length == d.length) {
            for (int i = 0; i < d.length; i++) {
                d[i] -= before[i];
            }
        }
        return new Histogram.Reading(d, 0);
    }

    private static long number(Map<String, String> fields, String name) {
        try {
            return Long.parseLong(fields.getOrDefault(name, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
