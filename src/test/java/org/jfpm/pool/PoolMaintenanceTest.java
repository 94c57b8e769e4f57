package org.jfpm.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jfpm.pool.PoolFixture.request;
import static org.jfpm.pool.PoolFixture.await;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jfpm.os.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process manager's decisions carried out (fpm_process_ctl.c) on stub workers, the
 * heartbeat driven by the test at the times it chooses: the arithmetic itself is
 * {@link PmDecisionTest}'s.
 */
@Timeout(10)
class PoolMaintenanceTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aDynamicTickStartsWorkersUpToMinSpareDoublingItsRateAndLogsAsPhpFpm() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = dynamic\npm.max_children = 5\npm.start_servers = 2\n"
                + "pm.min_spare_servers = 2\npm.max_spare_servers = 4").started()) {
            f.pool.acquire();
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            f.awaitIdle(2);
            assertThat(f.lines("currently")).containsExactly("DEBUG: [pool www] currently 1 active children, "
                    + "1 spare children, 2 running children. Spawning rate 1");
            f.pool.acquire();
            f.pool.acquire();
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            f.awaitIdle(2);
            assertThat(f.lines("currently")).last().isEqualTo("DEBUG: [pool www] currently 3 active children, "
                    + "0 spare children, 3 running children. Spawning rate 2");
            assertThat(f.lines("created dynamically")).containsExactly(
                    "DEBUG: [pool www] 1 child(ren) have been created dynamically",
                    "DEBUG: [pool www] 2 child(ren) have been created dynamically");
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            assertThat(f.starter.started).as("min_spare idle: nothing more").hasSize(5);
            assertThat(f.lines("currently")).last().asString().endsWith("Spawning rate 4");
        }
    }

    @Test
    void aDynamicTickRetiresTheOldestIdleWorkerOverMaxSpareOnePerTickAndDoesNotReplaceIt() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = dynamic\npm.max_children = 5\npm.start_servers = 2\n"
                + "pm.min_spare_servers = 1\npm.max_spare_servers = 2").started()) {
            Worker a = f.pool.acquire();
            Worker b = f.pool.acquire();
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            f.awaitIdle(1);
            Worker c = f.pool.snapshot().stream().filter(w -> w != a && w != b).findFirst().orElseThrow();
            f.pool.release(a);
            f.pool.release(b);

            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            assertThat(f.pool.idleCount()).isEqualTo(2);
            StubStarter.Child killed = f.starter.started.stream().filter(StubStarter.Child::hasExited)
                    .collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
                            l -> l.size() == 1 ? l.getFirst() : null));
            assertThat(killed).as("one per tick").isIn(f.child(a), f.child(b)).isNotSameAs(f.child(c));
            assertThat(killed.signals).containsExactly(Signals.SIGTERM);
            assertThat(f.lines("child " + killed.pid() + " ")).contains("DEBUG: [pool www] child " + killed.pid()
                    + " has been killed by the process management after 2.000000 seconds from start");
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            assertThat(f.pool.idleCount()).as("max_spare idle: kept").isEqualTo(2);
            assertThat(f.starter.started).as("none replaced").hasSize(3);
        }
    }

    @Test
    void ondemandStartsAWorkerForAWaitingRequestAndRetiresItAfterTheIdleTimeout() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = ondemand\npm.max_children = 2\n"
                + "pm.process_idle_timeout = 10s").started()) {
            assertThat(f.starter.started).isEmpty();
            long start = f.now.get();
            Worker w = f.pool.acquire();
            assertThat(f.starter.started).hasSize(1);
            assertThat(f.lines("I forked")).containsExactly(
                    "DEBUG: [pool www] got accept without idle child available .... I forked");
            f.pool.release(w);

            f.now.set(start + 10 * SECOND);
            f.pool.maintenance().tick(f.now.get());
            assertThat(f.pool.idleCount()).as("idle exactly the timeout: kept").isEqualTo(1);
            f.now.set(start + 10 * SECOND + 1);
            f.pool.maintenance().tick(f.now.get());
            assertThat(f.pool.idleCount()).isZero();
            assertThat(f.child(w).signals).containsExactly(Signals.SIGTERM);
            await(() -> !f.pool.hasLiveWorkers());
            assertThat(f.starter.started).as("not replaced").hasSize(1);
        }
    }

    @Test
    void ondemandWarnsOncePerEpisodeWhenMaxChildrenAreRunning() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = ondemand\npm.max_children = 1").started()) {
            Worker only = f.pool.acquire();
            CompletableFuture<Worker> first = request(f.pool);
            await(() -> f.pool.queueLength() == 1);
            CompletableFuture<Worker> second = request(f.pool);
            await(() -> f.pool.queueLength() == 2);
            f.pool.maintenance().tick(f.now.addAndGet(SECOND));
            // the warning may come from a waiting request's own thread (it counts, then logs)
            await(() -> !f.lines("max_children").isEmpty());

            assertThat(f.lines("max_children")).containsExactly(
                    "WARNING: [pool www] server reached max_children setting (1), consider raising it");
            assertThat(f.pool.scoreboard().maxChildrenReached()).isEqualTo(1);
            assertThat(f.starter.started).hasSize(1);
            f.pool.release(only);
            assertThat(first.get()).isSameAs(only);
            f.pool.release(only);
            assertThat(second.get()).isSameAs(only);
        }
    }

}
