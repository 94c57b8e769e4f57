package org.jfpm.e2e.support;

import java.time.Duration;
import java.util.List;

/**
 * Something nginx can pass PHP requests to over FastCGI: jfpm under test, or one of the
 * references used to prove the tests themselves (Debian's php-fpm8.2, bare php-cgi -b).
 */
public interface FastCgiBackend extends AutoCloseable {

    /** The address for nginx's fastcgi_pass / upstream server: {@code unix:/path} or {@code 127.0.0.1:port}. */
    String nginxAddress();

    /** The pid this fixture started: the master (or the php-cgi supervisor). */
    long pid();

    /** The processes that run PHP scripts, sorted. */
    List<Long> workerPids();

    /** Polls until exactly {@code count} workers run; returns the last list seen. */
    default List<Long> awaitWorkers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> workers = workerPids();
        while (workers.size() != count && System.nanoTime() < deadline) {
            Pids.sleep(Duration.ofMillis(100));
            workers = workerPids();
        }
        return workers;
    }

    /** A short description for assertion messages, with the log when there is one. */
    String describe();

    @Override
    void close();
}
