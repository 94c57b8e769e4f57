package org.jfpm.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.function.IntConsumer;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.GlobalConfig;
import org.jfpm.config.PoolConfig;
import org.jfpm.config.SharedOpcache;
import org.jfpm.front.Listener;
import org.jfpm.front.PoolFront;
import org.jfpm.log.Log;
import org.jfpm.pool.Pool;
import org.jfpm.pool.ProcessLimit;
import org.jfpm.status.StatusSocket;
import org.jfpm.worker.Prelude;
import org.jfpm.worker.SharedParent;
import org.jfpm.worker.WorkerProcess;
import org.jfpm.worker.WorkerSpec;

/**
 * Everything one configuration runs: its pools, their fronts and their
 * listening sockets. Start-up builds the first generation; a reload builds the
 * next one beside it, taking over the sockets whose address is unchanged
 * (php-fpm matches inherited sockets by their {@code listen} string the same
 * way), and retires the old one.
 *
 * <p>Build order is php-fpm's: every pool is prepared and every socket bound
 * before any worker serves, so a failure leaves nothing running. One step runs
 * ahead: a pool's shared php-cgi parent starts while the pool's php-cgi -i runs
 * ({@link #prepare}); a failed build stops it ({@link #abandon}) before any
 * connection reaches it.
 */
final class Generation {
    private static final long READY_WAIT_NANOS = 5_000_000_000L;

    private final FpmConfig config;
    private final List<Pool> pools = new ArrayList<>();
    private final List<PoolFront> fronts = new ArrayList<>();
    /** Where each pool's workers ask for fpm_get_status(). */
    private final List<StatusSocket> statusSockets = new ArrayList<>();
    /** The listeners this generation serves on, reused ones included. */
    private final List<Listener> listeners = new ArrayList<>();
    /** Listeners taken over from the previous generation, each with the front it switches to. */
    private final Map<Listener, PoolFront> adopted = new java.util.LinkedHashMap<>();
    /** Listeners this generation bound itself. */
    private final List<Listener> bound = new ArrayList<>();
    /** The pools' shared php-cgi parents, some running before their pool starts (see {@link #prepare}). */
    private final List<SharedParent> parents = new ArrayList<>();

    private Generation(FpmConfig config) {
        this.config = config;
    }

    /** Thrown after the failure was logged; nothing of the generation is left open. */
    static final class SetupFailure extends Exception {
        SetupFailure() {
            super(null, null, false, false);
        }
    }

    /**
     * Prepares every pool and binds every socket the configuration names, reusing
     * listeners of {@code previous} (empty at start-up) that have the same address.
     */
    static Generation build(FpmConfig config, PoolSetup setup, List<Listener> previous, IntConsumer workerSignalled)
            throws SetupFailure {
        Generation g = new Generation(config);
        ProcessLimit limit = new ProcessLimit(config.global().processMax());
        try {
            List<Prepared> prepared = prepareAll(config, setup);
            for (Prepared p : prepared) {
                if (p != null && p.parent() != null) {
                    g.parents.add(p.parent());
                }
            }
            for (int i = 0; i < prepared.size(); i++) {
                Prepared p = prepared.get(i);
                if (p == null) {
                    throw new SetupFailure();
                }
                Pool pool = new Pool(config.pools().get(i), p.spec(), limit, p.parent());
                pool.onSignalDeath(workerSignalled);
                g.pools.add(pool);
            }
            for (Pool pool : g.pools) {
                PoolFront front = PoolFront.open(pool);
                g.fronts.add(front);
                StatusSocket status = StatusSocket.open(pool, front.backlog(), pool.socketDir());
                if (status != null) {
                    g.statusSockets.add(status);
                }
                g.listen(front, pool.config().listen(), false, previous);
                if (pool.config().pmStatusListen() != null) {
                    g.listen(front, pool.config().pmStatusListen(), true, previous);
                }
            }
        } catch (Listener.BindFailure e) {
            Log.error(e.getMessage());
            g.abandon();
            throw new SetupFailure();
        } catch (SetupFailure e) {
            g.abandon();
            throw e;
        }
        return g;
    }

    /**
     * A pool ready to be made: its worker spec, and its shared php-cgi parent (null when the
     * pool's workers do not share one), which may be running already.
     */
    private record Prepared(WorkerSpec spec, SharedParent parent) {}

    /**
     * Every pool prepared (null where the pool cannot run, after logging why), all at once:
     * each runs the pool's exec chain once, and a host with dozens of pools should not start
     * or reload them one after the other.
     */
    private static List<Prepared> prepareAll(FpmConfig config, PoolSetup setup) {
        List<Future<Prepared>> futures = new ArrayList<>();
        // platform threads: starting a process and reading its pipe would pin a virtual thread's carrier
        ThreadFactory threads = Thread.ofPlatform().name("pool-setup-", 0).factory();
        try (ExecutorService each = Executors.newThreadPerTaskExecutor(threads)) {
            for (PoolConfig pc : config.pools()) {
                futures.add(each.submit(() -> prepare(pc, config.global(), setup)));
            }
        }
        List<Prepared> prepared = new ArrayList<>();
        for (Future<Prepared> f : futures) {
            switch (f.state()) {
                case SUCCESS -> prepared.add(f.resultNow());
                case FAILED -> {
                    if (f.exceptionNow() instanceof Error e) {
                        throw e;
                    }
                    throw new IllegalStateException("preparing a pool failed", f.exceptionNow());
                }
                default -> prepared.add(null); // cancelled: only by a stop, which abandons the build
            }
        }
        return prepared;
    }

    /**
     * One pool: its spec, and for shared workers the php-cgi parent. The parent's command line
     * needs the pool's own auto_prepend_file and open_basedir, which php-cgi -i tells; most
     * pools have neither, so the parent is started on that guess while php-cgi -i runs, and
     * kept when the answer confirms it (the two php-cgi start at once instead of one after the
     * other). A parent started on a wrong guess, or for a pool that cannot run, is stopped
     * before any request reaches it: the pool's workers connect to it only once the pool starts.
     */
    private static Prepared prepare(PoolConfig pc, GlobalConfig global, PoolSetup setup) {
        Prelude.Pending pending = setup.spec(pc, global);
        if (pending == null) {
            return null;
        }
        boolean shared = SharedOpcache.applies(pc, global);
        WorkerSpec guess = shared ? pending.guess() : null;
        SharedParent early = guess == null ? null : new SharedParent(guess, pc.pmMaxChildren());
        if (early != null) {
            try {
                early.start();
            } catch (WorkerProcess.StartException e) {
                early.kill(); // the pool's php-cgi -i says why, or the pool's own start will
                early = null;
            } catch (InterruptedException e) {
                early.kill();
                Thread.currentThread().interrupt();
                return null;
            }
        }
        WorkerSpec spec = pending.finish();
        if (spec == null) {
            if (early != null) {
                early.kill();
            }
            return null;
        }
        if (early != null && !early.adopt(spec)) {
            early.kill();
            early = null;
        }
        return new Prepared(spec, !shared ? null : early != null ? early : new SharedParent(spec, pc.pmMaxChildren()));
    }

    private void listen(PoolFront front, String address, boolean status, List<Listener> previous)
            throws Listener.BindFailure {
        for (Listener l : previous) {
            if (l.listenText().equals(address) && l.isStatusListen() == status && !adopted.containsKey(l)) {
                adopted.put(l, front);
                listeners.add(l);
                return;
            }
        }
        Listener l = status ? Listener.bindStatusListen(front) : Listener.bind(front);
        bound.add(l);
        listeners.add(l);
    }

    /** php-fpm's lines for the sockets this generation took over, in the order it binds them. */
    List<String> inheritedLines() {
        return adopted.keySet().stream().map(Listener::inheritedLine).toList();
    }

    /** A build that failed, or was overtaken by a stop: close what it opened; adopted listeners stay. */
    void abandon() {
        parents.forEach(SharedParent::kill);
        bound.forEach(Listener::close);
        closeFronts();
    }

    /** Starts the workers, then serves: adopted sockets switch to the new pools, new ones start accepting. */
    void start() {
        pools.forEach(Pool::start);
        adopted.forEach(Listener::switchTo);
        bound.forEach(Listener::start);
    }

    /**
     * Waits until the workers {@link #start} started listen or fail, for at most 5 s: a
     * daemonizing caller waits 10 s in all for the master's verdict, and a pool that takes
     * longer to start is better reported ready than failed.
     */
    void awaitWorkers() throws InterruptedException {
        long deadline = System.nanoTime() + READY_WAIT_NANOS;
        for (Pool pool : pools) {
            pool.awaitStarts(deadline);
        }
    }

    FpmConfig config() {
        return config;
    }

    /** The sockets fpm_get_status() reads, one per pool that could bind one. */
    List<StatusSocket> statusSockets() {
        return statusSockets;
    }

    List<Pool> pools() {
        return pools;
    }

    List<PoolFront> fronts() {
        return fronts;
    }

    List<Listener> listeners() {
        return listeners;
    }

    /**
     * Hands over to {@code next} after it has started: each pool passes its requests
     * to the pool that took over its main socket, sockets the next generation did not
     * take are closed. Busy workers finish their request; the caller waits for them.
     */
    void retireInto(Generation next) {
        for (Listener l : listeners) {
            if (!next.listeners.contains(l)) {
                l.close();
            }
        }
        for (Pool pool : pools) {
            pool.retire(next.successorOf(pool.config().listen()));
        }
    }

    /** The pool now serving the main socket {@code listen}, or null. */
    private Pool successorOf(String listen) {
        for (Pool p : pools) {
            if (p.config().listen().equals(listen)) {
                return p;
            }
        }
        return null;
    }

    boolean hasLiveWorkers() {
        return pools.stream().anyMatch(Pool::hasLiveWorkers);
    }

    boolean isBusy() {
        return pools.stream().anyMatch(Pool::isBusy);
    }

    /** Whether a web server connection to one of this generation's sockets is still open. */
    boolean hasOpenConnections() {
        return listeners.stream().anyMatch(Listener::hasOpenConnections);
    }

    void signalAll(int signal) {
        pools.forEach(p -> p.signalAll(signal));
    }

    /** Every worker leaves now: connection closed, then {@code signal} ({@link Pool#terminate}). */
    void terminate(int signal) {
        pools.forEach(p -> p.terminate(signal));
    }

    /** After its workers are gone: close the access logs and timers. */
    void closeFronts() {
        fronts.forEach(PoolFront::close);
        statusSockets.forEach(StatusSocket::close);
    }
}
