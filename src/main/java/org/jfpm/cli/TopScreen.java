package org.jfpm.cli;

import org.jfpm.log.PoolLog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Lays out {@code jfpm top}'s screen: plain text lines cut to the terminal's width and height. */
final class TopScreen {
    private TopScreen() {}

    /** How the worker rows are ordered (biggest first, pid ascending); the key that picks it. */
    enum Sort {
        CPU('c', "cpu", Comparator.comparingDouble(TopModel.Worker::cpuPercent).reversed()),
        MEMORY('m', "memory", Comparator.comparingLong(TopModel.Worker::residentBytes).reversed()),
        REQUESTS('r', "requests", Comparator.comparingLong(TopModel.Worker::requests).reversed()),
        DURATION('d', "duration", Comparator.comparingLong(TopModel.Worker::durationMicros).reversed()),
        PID('p', "pid", Comparator.comparingLong(TopModel.Worker::pid));

        final char key;
        final String label;
        final Comparator<TopModel.Worker> order;

        Sort(char key, String label, Comparator<TopModel.Worker> order) {
            this.key = key;
            this.label = label;
            this.order = order.thenComparingLong(TopModel.Worker::pid);
        }

        static Sort forKey(int key, Sort current) {
            for (Sort s : values()) {
                if (s.key == Character.toLowerCase(key)) {
                    return s;
                }
            }
            return current;
        }
    }

    static List<String> render(String title, List<TopModel.PoolView> pools, Sort sort, long memAvailableBytes,
                               int width, int height) {
        List<String> lines = new ArrayList<>();
        lines.add(title + "  sort: " + sort.label + "  keys: c m r d p, q quits");
        if (pools.size() > 1) {
            lines.add(total(TopModel.total(pools)));
        }
        int rowsLeft = height - lines.size() - 5 * pools.size();
        for (int i = 0; i < pools.size(); i++) {
            TopModel.PoolView p = pools.get(i);
            lines.add(p.host() == null ? "" : "host " + p.host()); // a cluster: which host the block is
            if (p.problem() != null) {
                lines.add(p.name() == null ? "  " + p.problem() : PoolLog.prefixed(p.name(), p.problem()));
                continue;
            }
            lines.add(String.format(Locale.ROOT, "[pool %s] %s  busy %d idle %d max %d  queue %d (oldest %s)  %.1f req/s",
                    p.name(), p.pm(), p.active(), p.idle(), p.maxChildren(), p.queue(),
                    duration(p.oldestWaitMicros() / 1e6), p.requestsPerSecond()));
            long avg = p.averageResidentBytes();
            lines.add(String.format(Locale.ROOT, "  last minute: p50 %s  p99 %s  503s %d (%d in all)",
                    quantile(p.p50()), quantile(p.p99()), p.refusedLastMinute(), p.refused()));
            lines.add(String.format(Locale.ROOT, "  sizing: %s per worker; %s available holds ~%s more",
                    size(avg), size(memAvailableBytes), avg > 0 ? Long.toString(memAvailableBytes / avg) : "?"));
            lines.add("  PID       STATE      REQS   CPU%      RSS    DUR ms  SCRIPT");
            int share = Math.max(0, rowsLeft / (pools.size() - i));
            List<TopModel.Worker> workers = p.workers().stream().sorted(sort.order).toList();
            int shown = Math.min(share, workers.size());
            if (shown < workers.size() && shown > 0) {
                shown--; // room for the "more" line
            }
            for (int w = 0; w < shown; w++) {
                TopModel.Worker x = workers.get(w);
                String cpu = Double.isNaN(x.cpuPercent()) ? "-" : String.format(Locale.ROOT, "%.1f", x.cpuPercent());
                String row = String.format(Locale.ROOT, "  %-9d %-9s %5d %6s %8s %9d  ", x.pid(), x.state(),
                        x.requests(), cpu, size(x.residentBytes()), x.durationMicros() / 1000);
                lines.add(row + tail(x.script(), width - row.length()));
            }
            if (shown < workers.size() && share > 0) {
                lines.add("  ... " + (workers.size() - shown) + " more");
            }
            rowsLeft -= Math.min(share, workers.size());
        }
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(0, Math.min(lines.size(), height))) {
            out.add(line.length() > width ? line.substring(0, width) : line);
        }
        return out;
    }

    /**
     * The first line under the title when there is more than one pool: all of them added
     * up ({@code 3 hosts, 1 down: busy 5 idle 7 ...}), "down" for those that did not answer.
     */
    static String total(TopModel.Total t) {
        String where = t.hosts() > 0 ? t.hosts() + (t.hosts() == 1 ? " host" : " hosts") : t.pools() + " pools";
        if (t.unreachable() > 0) {
            where += ", " + t.unreachable() + " down";
        }
        return String.format(Locale.ROOT, "%s: busy %d idle %d max %d  queue %d  %.1f req/s  503s %d (%d in all)",
                where, t.active(), t.idle(), t.maxChildren(), t.queue(), t.requestsPerSecond(), t.refusedLastMinute(),
                t.refused());
    }

    /** The end of {@code text} in {@code room} columns ("..." first when cut): a script's file name matters most. */
    static String tail(String text, int room) {
        if (text.length() <= room) {
            return text;
        }
        return room <= 3 ? "" : "..." + text.substring(text.length() - (room - 3));
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1fG", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1fM", bytes / (double) (1L << 20));
    }

    /** A histogram bound: "-" with no requests, ">60s" past the last bucket. */
    static String quantile(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        return Double.isInfinite(seconds) ? ">60s" : "<=" + duration(seconds);
    }

    private static String duration(double seconds) {
        if (seconds < 1) {
            return Math.round(seconds * 1000) + "ms";
        }
        return String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
