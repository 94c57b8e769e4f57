package org.jfpm.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jfpm.pool.PoolFixture.await;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jfpm.os.Signals;
import org.jfpm.request.RequestInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers coming and going (php-fpm's fpm_children.c) on stub workers: starts within
 * pm.max_children and process.max, the replacement of a worker that exits unasked, the
 * retirement after pm.max_requests, and the log lines php-fpm writes for each.
 */
@Timeout(10)
class ChildrenTest {
    @TempDir
    Path dir;

    @Test
    void aStaticPoolStartsMaxChildrenAndReplacesOneThatDies() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 2").started()) {
            List<Integer> signalDeaths = new CopyOnWriteArrayList<>();
            f.pool.onSignalDeath(signalDeaths::add);
            assertThat(f.starter.started).hasSize(2);
            assertThat(f.pool.idleCount()).isEqualTo(2);
            StubStarter.Child dead = f.starter.started.getFirst();
            assertThat(f.lines("started")).contains("DEBUG: [pool www] child " + dead.pid() + " started");

            f.now.addAndGet(1_500_000_000L);
            dead.crash(Signals.SIGSEGV);
            await(() -> f.starter.started.size() == 3 && f.pool.idleCount() == 2);
            assertThat(f.lines("child " + dead.pid() + " exited")).containsExactly("WARNING: [pool www] child "
                    + dead.pid() + " exited on signal 11 (SIGSEGV) after 1.500000 seconds from start");
            assertThat(signalDeaths).as("emergency_restart_* hear of it").containsExactly(Signals.SIGSEGV);
            assertThat(dead.connectionClosed).isTrue();
            assertThat(f.lines("child " + f.starter.started.get(2).pid() + " started"))
                    .as("a replacement after an unasked exit is a NOTICE").hasSize(1).allMatch(l -> l.startsWith("NOTICE"));
        }
    }

    @Test
    void aWorkerIsRetiredAfterMaxRequestsBetweenTwoRequestsAndReplaced() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1\npm.max_requests = 2")
                .started()) {
            Worker w = f.pool.acquire();
            serve(w);
            f.pool.release(w);
            assertThat(f.pool.acquire()).isSameAs(w);
            serve(w);
            f.pool.release(w);

            assertThat(f.child(w).signals).containsExactly(Signals.SIGTERM);
            assertThat(f.pool.scoreboard().recycles(Recycle.MAX_REQUESTS)).isEqualTo(1);
            assertThat(f.pool.scoreboard().acceptedConn()).isEqualTo(2);
            await(() -> f.starter.started.size() == 2 && f.pool.idleCount() == 1);
            assertThat(f.lines("child " + w.pid() + " exited"))
                    .containsExactly("NOTICE: [pool www] child " + w.pid() + " exited with code 0 after 0.000000 "
                            + "seconds from start");
            assertThat(f.pool.acquire()).isNotSameAs(w);
        }
    }

    @Test
    void processMaxCapsTheStartsAndWarnsOnce() throws Exception {
        ProcessLimit limit = new ProcessLimit(1);
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 3", limit).started()) {
            assertThat(f.starter.started).hasSize(1);
            assertThat(limit.running()).isEqualTo(1);
            assertThat(f.lines("process.max")).containsExactly("WARNING: " + ProcessLimit.WARNING);
            f.pool.stopAccepting();
            f.pool.terminate(Signals.SIGTERM);
            await(() -> limit.running() == 0);
        }
    }

    @Test
    void aFailedStartGivesBackItsProcessMaxSlotAndSaysWhy() throws Exception {
        ProcessLimit limit = new ProcessLimit(5);
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 2", limit)) {
            f.starter.failures.set(1);
            f.started();
            assertThat(f.starter.started).hasSize(1);
            assertThat(limit.running()).isEqualTo(1);
            assertThat(f.lines("failed to start")).containsExactly("ERROR: [pool www] child failed to start: stubbed failure");
            assertThat(f.pool.processes().total()).isEqualTo(1);
        }
    }

    @Test
    void aBrokenWorkerIsKilledAndReplacedWhenGivenBack() throws Exception {
        try (PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 1").started()) {
            Worker w = f.pool.acquire();
            w.markBroken();
            f.pool.release(w);
            assertThat(f.child(w).signals).containsExactly(Signals.SIGKILL);
            await(() -> f.starter.started.size() == 2 && f.pool.idleCount() == 1);
            assertThat(f.lines("child " + w.pid() + " exited")).singleElement().asString()
                    .startsWith("WARNING: [pool www] child " + w.pid() + " exited on signal 9 (SIGKILL)");
        }
    }

    @Test
    void aStopLogsTheExitsAtDebugAndReplacesNone() throws Exception {
        PoolFixture f = new PoolFixture(dir, "pm = static\npm.max_children = 2").started();
        try (f) {
            f.pool.stopAccepting();
            f.pool.terminate(Signals.SIGTERM);
            await(() -> !f.pool.hasLiveWorkers());
            assertThat(f.starter.started).hasSize(2);
            assertThat(f.lines("exited with code 0")).hasSize(2).allMatch(l -> l.startsWith("DEBUG"));
        }
    }

    private static void serve(Worker w) {
        w.requestStarted(RequestInfo.EMPTY);
        w.requestEnded();
    }
}
