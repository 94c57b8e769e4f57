package org.jfpm.master;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jfpm.log.Log;
import org.jfpm.os.Native;
import org.jfpm.pool.Pool;

/**
 * php-fpm's systemd integration (fpm_systemd.c): {@code READY=1} with a status
 * line when the master serves, then every {@code systemd_interval} (or half the
 * watchdog period when systemd sets {@code WATCHDOG_USEC}) a STATUS line summing
 * all pools, e.g. {@code Processes active: 0, idle: 2, Requests: 3, slow: 0,
 * Traffic: 1.50req/sec}. Messages are datagrams to {@code $NOTIFY_SOCKET}.
 */
final class SystemdNotifier {
    private final String socket = System.getenv("NOTIFY_SOCKET");
    private final java.util.function.Supplier<List<Pool>> pools;
    private final long intervalMillis;
    private final boolean watchdog;
    private long lastRequests;

    private SystemdNotifier(java.util.function.Supplier<List<Pool>> pools, long intervalMillis, boolean watchdog) {
        this.pools = pools;
        this.intervalMillis = intervalMillis;
        this.watchdog = watchdog;
    }

    /** Reads the environment and the configured interval; logs php-fpm's notices about them. */
    static SystemdNotifier create(java.util.function.Supplier<List<Pool>> pools, int systemdIntervalSeconds,
            boolean intervalConfigured) {
        long interval = systemdIntervalSeconds * 1000L;
        boolean watchdog = false;
        String usec = System.getenv("WATCHDOG_USEC");
        if (usec != null) {
            try {
                long half = Long.parseLong(usec.trim()) / 2000;
                if (half > 1000) {
                    interval = half;
                    watchdog = true;
                    Log.notice(String.format(Locale.ROOT, "systemd watchdog configured to %.3gsec", half / 1000.0)
                            .replaceAll("\\.?0+sec$", "sec"));
                    if (intervalConfigured) {
                        Log.warning("systemd_interval option ignored");
                    }
                }
            } catch (NumberFormatException ignored) {
                // a malformed WATCHDOG_USEC is treated as absent
            }
        }
        return new SystemdNotifier(pools, interval, watchdog);
    }

    /** After a reload: READY again and the monitor line, as php-fpm's re-executed master says them. */
    void reloaded() {
        send("READY=1\nSTATUS=Ready to handle connections\nMAINPID=" + ProcessHandle.current().pid(), true);
        Log.notice(intervalMillis <= 0 ? "systemd monitor disabled"
                : "systemd monitor interval set to " + intervalMillis + "ms");
    }

    /** After {@code ready to handle connections}: READY, then the periodic status thread. */
    void ready() {
        reloaded();
        if (intervalMillis <= 0 || socket == null) {
            return;
        }
        lastRequests = requests();
        Thread.ofVirtual().name("systemd-status").start(() -> {
            try {
                while (true) {
                    Thread.sleep(intervalMillis);
                    send(status(), false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private long requests() {
        return pools.get().stream().mapToLong(p -> p.scoreboard().acceptedConn()).sum();
    }

    private String status() {
        int active = 0;
        int total = 0;
        long slow = 0;
        for (Pool p : pools.get()) {
            active += p.activeCount();
            total += p.processes().total();
            slow += p.scoreboard().slowRequests();
        }
        long requests = requests();
        double traffic = (requests - lastRequests) * 1000.0 / intervalMillis;
        lastRequests = requests;
        return "READY=1\n" + (watchdog ? "WATCHDOG=1\n" : "")
                + String.format(Locale.ROOT, "STATUS=Processes active: %d, idle: %d, Requests: %d, slow: %d, "
                        + "Traffic: %.2freq/sec", active, Math.max(0, total - active), requests, slow, traffic);
    }

    private void send(String message, boolean start) {
        if (socket == null || socket.isEmpty()) {
            return;
        }
        try {
            Native.sendDatagram(socket, message.getBytes(StandardCharsets.UTF_8));
        } catch (Native.NativeException e) {
            if (start) {
                Log.warning("failed to notify start to systemd");
            } else {
                Log.notice("failed to notify status to systemd");
            }
        }
    }
}
