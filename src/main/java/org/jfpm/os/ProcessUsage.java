package org.jfpm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak memory of a worker process over one request, read from
 * {@code /proc/<pid>} by the master (php-cgi cannot report them the way
 * php-fpm's children write them to the scoreboard).
 *
 * <p>CPU: utime and stime of {@code /proc/<pid>/stat} at the start and end,
 * in USER_HZ ticks (100 a second on Linux, whatever the kernel's HZ), as a
 * percentage of the request's wall time: php-fpm's {@code %C}, at a 10 ms
 * resolution. Memory: the process's peak resident set ({@code VmHWM} of
 * {@code /proc/<pid>/status}) after resetting it at the start by writing 5 to
 * {@code /proc/<pid>/clear_refs}, so the peak is the request's. php-fpm
 * reports PHP's allocator peak (memory_get_peak_usage()) instead; the
 * resident peak also counts the binary, opcache and libraries touched.
 * Costs three /proc accesses per request, made only for pools that use it.
 */
public final class ProcessUsage {
    private static final double TICKS_PER_SECOND = 100.0;

    private final long pid;
    private final long startNanos;
    private final long startUser;
    private final long startSystem;

    private ProcessUsage(long pid, long startNanos, long user, long system) {
        this.pid = pid;
        this.startNanos = startNanos;
        this.startUser = user;
        this.startSystem = system;
    }

    /** Starts measuring {@code pid}: resets its peak RSS and notes its CPU time. */
    public static ProcessUsage start(long pid) {
        try {
            Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
        } catch (IOException | RuntimeException e) {
            // not permitted (another user without CAP_SYS_PTRACE): the peak is then the process's
        }
        long[] cpu = cpuTicks(pid);
        return new ProcessUsage(pid, System.nanoTime(), cpu[0], cpu[1]);
    }

    /** The request's usage; zeros for what could not be read (the process is gone). */
    public RequestUsage finish() {
        long wall = System.nanoTime() - startNanos;
        long[] cpu = cpuTicks(pid);
        if (cpu[0] < 0 || startUser < 0 || wall <= 0) {
            return new RequestUsage(0, 0, peakResident(pid));
        }
        double seconds = wall / 1e9;
        double user = (cpu[0] - startUser) / TICKS_PER_SECOND / seconds * 100;
        double system = (cpu[1] - startSystem) / TICKS_PER_SECOND / seconds * 100;
        return new RequestUsage(user, system, peakResident(pid));
    }

    /** utime + stime of {@code pid} in USER_HZ ticks (100 a second), -1 if unreadable. */
    public static long cpuTicksTotal(long pid) {
        long[] t = cpuTicks(pid);
        return t[0] < 0 ? -1 : t[0] + t[1];
    }

    /** utime and stime (fields 14 and 15 of /proc/pid/stat, counted after the command's closing parenthesis). */
    static long[] cpuTicks(long pid) {
        try {
            String stat = read(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state): utime is field 14, stime 15
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** VmHWM in bytes, 0 if unreadable. */
    static long peakResident(long pid) {
        return statusBytes(pid, "VmHWM:");
    }

    /**
     * The process's resident set now, in bytes (VmRSS of /proc/pid/status: shared pages it has
     * touched count too, opcache's among them); 0 if unreadable.
     */
    public static long residentBytes(long pid) {
        return statusBytes(pid, "VmRSS:");
    }

    /** A "kB" line of /proc/pid/status in bytes, 0 if unreadable. */
    private static long statusBytes(long pid, String field) {
        try {
            for (String line : read(Path.of("/proc/" + pid + "/status")).split("\n")) {
                if (line.startsWith(field)) {
                    String kb = line.substring(field.length()).trim();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** /proc files report a size of 0: read them as streams. */
    private static String read(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
