package org.jfpm.master;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.jfpm.worker.WorkerSpec;

/**
 * Once a second, puts back what the workers need on disk when something else removed
 * it ({@link PoolSetup#restore}): a temp-dir cleaner such as systemd-tmpfiles or
 * tmpreaper, a careless script. Without it, every new worker would fail to bind its
 * socket and every request would fail to open the prelude until the master restarts.
 */
final class RuntimeGuard {
    private RuntimeGuard() {}

    /** Runs on a virtual thread until {@code stopRequested} opens. */
    static void start(PoolSetup setup, CountDownLatch stopRequested, Supplier<List<WorkerSpec>> specs) {
        Thread.ofVirtual().name("runtime-guard").start(() -> {
            while (stopRequested.getCount() > 0) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                setup.restore(specs.get());
            }
        });
    }
}
