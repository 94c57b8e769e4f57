package org.jfpm.log;

import org.jfpm.request.RequestInfo;
import org.jfpm.os.RequestUsage;

/**
 * One finished request as the access log sees it.
 *
 * @param info            what the front read of the request (all params kept when the format has {@code %e})
 * @param workerPid       the php-cgi worker that served it; the master's pid for pages the master answered
 * @param peerIp          the FastCGI peer's address (the web server), null on a unix socket
 * @param status          the response status (CGI {@code Status:} header, else 200)
 * @param responseHead    the CGI header block, when the format has {@code %o}; else null
 * @param acceptMillis    when the request's head had arrived (epoch ms), php-fpm's accept time
 * @param durationNanos   from then to the end of the response
 * @param usage           CPU and memory over the request, when the format has {@code %C} or {@code %M}
 */
public record AccessEntry(RequestInfo info, long workerPid, String peerIp, int status, String responseHead,
        long acceptMillis, long durationNanos, RequestUsage usage) {
}
