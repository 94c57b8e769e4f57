package org.jfpm.pool;

import org.jfpm.os.Signals;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.PoolConfig;
import org.jfpm.log.Level;
import org.jfpm.log.Log;
import org.jfpm.os.Accounts;

/**
 * A pool of {@link StubStarter} workers on a clock the test moves, and the log lines it
 * writes. Waits are on conditions (the test class bounds them with a timeout), never sleeps.
 */
final class PoolFixture implements AutoCloseable {
    /** The pool's time: {@link System#nanoTime} as the test sets it. */
    final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    final StubStarter starter = new StubStarter(now::get);
    final List<String> log = new CopyOnWriteArrayList<>();
    final Pool pool;
    private final Level level = Log.level();

    /** {@code directives}: the pool's lines after {@code [www]}, its listen and user. */
    PoolFixture(Path dir, String directives) throws Exception {
        this(dir, directives, ProcessLimit.unlimited());
    }

    PoolFixture(Path dir, String directives, ProcessLimit limit) throws Exception {
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, "[global]\nerror_log = " + dir.resolve("error.log") + "\n[www]\n"
                + (Accounts.runningAsRoot() ? "user = nobody\n" : "")
                + "listen = " + dir.resolve("www.sock") + "\n" + directives + "\n");
        PoolConfig config = ConfigLoader.load(ConfigOptions.ofFile(conf)).pools().getFirst();
        pool = new Pool(config, limit, starter, now::get);
        Log.setLevel(Level.DEBUG);
        Log.tap(line -> log.add(line.substring(line.indexOf("] ") + 2)));
    }

    /** Starts the initial workers and waits until each has connected and is idle. */
    PoolFixture started() throws InterruptedException {
        pool.startWorkers();
        pool.awaitStarts(System.nanoTime() + 3_600_000_000_000L);
        awaitIdle(starter.started.size());
        return this;
    }

    /** Waits until {@code n} workers are idle (a connected worker joins the idle stack just after). */
    void awaitIdle(int n) throws InterruptedException {
        await(() -> pool.idleCount() == n);
    }

    StubStarter.Child child(Worker w) {
        return (StubStarter.Child) w.process();
    }

    /** Log lines whose message contains {@code text}, as "LEVEL: message". */
    List<String> lines(String text) {
        return log.stream().filter(l -> l.contains(text)).toList();
    }

    /** Spins until {@code condition} holds; the test's timeout interrupts it. */
    static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (Thread.interrupted()) {
                throw new InterruptedException("still waiting");
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits until {@code t} is parked (in the pool's queue, once the test has seen it there). */
    static void awaitParked(Thread t) throws InterruptedException {
        await(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }

    @Override
    public void close() {
        pool.stopAccepting();
        pool.terminate(Signals.SIGTERM);
        Log.tap(null);
        Log.setLevel(level);
        assertThat(pool.isStopping()).isTrue();
    }

    /** A request on its own thread: the worker it got, null, or what it threw. */
    static CompletableFuture<Worker> request(Pool pool) {
        CompletableFuture<Worker> got = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                got.complete(pool.acquire());
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        });
        return got;
    }
}
