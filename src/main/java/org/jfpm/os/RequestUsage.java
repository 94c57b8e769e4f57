package org.jfpm.os;

/**
 * What one request cost its worker process, measured by the master from
 * {@code /proc/<pid>} around the request (see {@link ProcessUsage}): CPU time
 * as a percentage of the request's wall time, split user/system as php-fpm's
 * {@code %{user}C} and {@code %{system}C}, and the process's peak resident
 * memory over the request.
 */
public record RequestUsage(double userPercent, double systemPercent, long peakMemoryBytes) {
    public static final RequestUsage NONE = new RequestUsage(0, 0, 0);

    /** php-fpm's {@code %C} / status {@code last request cpu}. */
    public double cpuPercent() {
        return userPercent + systemPercent;
    }
}
