package org.jfpm.master;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.jfpm.pool.Pool;
import org.jfpm.status.StatusSocket;

/**
 * Once a second, puts back what the workers need on disk when something else removed
 * it ({@link PoolSetup#restore}): a temp-dir cleaner such as systemd-tmpfiles or
 * tmpreaper, a careless script. Without it, every new worker would fail to bind its
 * socket and every request would fail to open the prelude until the master restarts.
 */
final class RuntimeGuard {
    private RuntimeGuard() {}

    /** Runs on a virtual thread until {@code stopRequested} opens, over the generations alive then. */
    static void start(PoolSetup setup, CountDownLatch stopRequested, Supplier<List<Generation>> live) {
        Thread.ofVirtual().name("runtime-guard").start(() -> {
            while (stopRequested.getCount() > 0) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                List<Generation> generations = live.get();
                if (setup.restore(generations.stream().flatMap(g -> g.pools().stream()).map(Pool::spec).toList())) {
                    generations.forEach(g -> g.statusSockets().forEach(StatusSocket::restore));
                }
            }
        });
    }
}
