package org.jfpm.pool;

import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jfpm.os.Signals;
import org.jfpm.worker.WorkerProcess;

/**
 * Starts workers with no process behind them, as HikariCP's tests stub connections: each
 * start connects at once and is recorded; a worker exits when the master sends it SIGTERM
 * or SIGKILL (as an idle php-cgi does), or when a test makes it crash.
 */
final class StubStarter implements WorkerStarter {
    private static final AtomicLong PIDS = new AtomicLong(900_000);

    private final LongSupplier clock;
    final List<Child> started = new CopyOnWriteArrayList<>();
    /** Starts left to fail with a StartException. */
    final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    StubStarter(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public WorkerProcess.Spawned fork() {
        return null;
    }

    @Override
    public ChildProcess connect(WorkerProcess.Spawned forked) throws WorkerProcess.StartException {
        if (failures.getAndDecrement() > 0) {
            throw new WorkerProcess.StartException("stubbed failure");
        }
        Child c = new Child(PIDS.incrementAndGet(), clock.getAsLong());
        started.add(c);
        return c;
    }

    /** A worker process that exists only as this object. */
    static final class Child implements ChildProcess {
        private final long pid;
        private final long startNanos;
        private final CompletableFuture<Void> exit = new CompletableFuture<>();
        private volatile int exitValue;
        final List<Integer> signals = new CopyOnWriteArrayList<>();
        volatile boolean connectionClosed;

        Child(long pid, long startNanos) {
            this.pid = pid;
            this.startNanos = startNanos;
        }

        /** The process dies of {@code signal} nobody sent it. */
        void crash(int signal) {
            exitValue = 128 + signal;
            exit.complete(null);
        }

        boolean hasExited() {
            return exit.isDone();
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public SocketChannel channel() {
            return null;
        }

        @Override
        public long startNanos() {
            return startNanos;
        }

        @Override
        public long startMillis() {
            return 0;
        }

        @Override
        public CompletableFuture<?> onExit() {
            return exit;
        }


        @Override
        public OptionalInt exitValue() {
            return OptionalInt.of(exitValue);
        }

        @Override
        public void closeConnection() {
            connectionClosed = true;
        }

        @Override
        public void signal(int signal) {
            signals.add(signal);
            if (signal == Signals.SIGTERM || signal == Signals.SIGKILL) {
                exitValue = signal == Signals.SIGTERM ? 0 : 128 + signal; // php-cgi exits 0 on SIGTERM
                exit.complete(null);
            }
        }
    }
}
