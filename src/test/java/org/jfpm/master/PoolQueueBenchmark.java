package org.jfpm.master;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.FpmConfig;
import org.jfpm.os.Accounts;
import org.jfpm.pool.Pool;
import org.jfpm.pool.ProcessLimit;
import org.jfpm.pool.Worker;
import org.jfpm.worker.WorkerSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pool's queue as every request meets it: taking a worker and giving it back, on a
 * real pool of four php-cgi workers (started once; no request reaches them). Alone, the
 * cost of the lock and the idle stack; sixteen virtual threads on four workers, with the
 * FIFO hand-over to a parked waiter that a queued request pays. Run with
 * {@code bench/jmh.sh PoolQueue}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PoolQueueBenchmark {
    private static final int WORKERS = 4;
    private static final int CONTENDERS = 16;
    private static final int ROUNDS = 200;

    private Path dir;
    private PoolSetup setup;
    private Pool pool;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory("jfpm-queue-bench-");
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, "[global]\nerror_log = " + dir.resolve("error.log") + "\n"
                + "[bench]\nlisten = " + dir.resolve("bench.sock") + "\n"
                + (Accounts.runningAsRoot() ? "user = nobody\n" : "")
                + "pm = static\npm.max_children = " + WORKERS + "\n");
        FpmConfig config = ConfigLoader.load(ConfigOptions.ofFile(conf));
        setup = PoolSetup.create(config.options());
        org.jfpm.worker.Prelude.Pending pending = setup.spec(config.pools().getFirst(), config.global());
        WorkerSpec spec = pending == null ? null : pending.finish();
        if (spec == null) {
            throw new IllegalStateException("the pool cannot run: see " + dir.resolve("error.log"));
        }
        pool = new Pool(config.pools().getFirst(), spec, new ProcessLimit(0));
        pool.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleCount() < WORKERS) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the workers did not start: see " + dir.resolve("error.log"));
            }
            Thread.sleep(20);
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        pool.retire(null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!pool.snapshot().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        setup.cleanUp();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    @Benchmark
    @Threads(1)
    public Worker takeAndGiveBackAlone() throws InterruptedException, org.jfpm.pool.QueueRefusal {
        Worker w = pool.acquire();
        pool.release(w);
        return w;
    }

    /**
     * Sixteen virtual threads (what requests run on) taking turns on the four workers, each
     * holding its worker across a yield, so that most takes queue and most gives hand over.
     */
    @Benchmark
    @OperationsPerInvocation(CONTENDERS * ROUNDS)
    public void takeAndGiveBackSixteenOnFour() throws Exception {
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < CONTENDERS; t++) {
                requests.submit(() -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        Worker w = pool.acquire();
                        Thread.yield(); // holding it, as a request does: the others queue meanwhile
                        pool.release(w);
                    }
                    return null;
                });
            }
        }
    }
}
