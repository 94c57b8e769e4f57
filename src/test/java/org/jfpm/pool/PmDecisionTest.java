package org.jfpm.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jfpm.pool.PmDecision.Counts;
import org.jfpm.pool.PmDecision.Dynamic;
import org.jfpm.pool.PmDecision.State;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** php-fpm's process manager arithmetic (fpm_process_ctl.c), one row per situation. */
class PmDecisionTest {

    /** max_children 12, spares 2/4, max_spawn_rate 32: a pool whose php-fpm8.2 log was observed. */
    private static final Dynamic POOL = new Dynamic("www", 12, 2, 4, 32);

    private static final String BUSY = "[pool www] seems busy (you may need to increase pm.start_servers, "
            + "or pm.min/max_spare_servers), spawning %d children, there are %d idle, and %d total children";
    private static final String REACHED = "[pool www] server reached pm.max_children setting (12), consider raising it";

    @ParameterizedTest(name = "idle {0} active {1} running {2} rate {3} warned {4} -> spawn {5} kill {6} rate {7}")
    @CsvSource(nullValues = "-", textBlock = """
            # idle active running rate warned | spawn kill nextRate nextWarned  warning
            # between the spares: nothing, the rate falls back to 1
               3,    0,     3,     4, false,     0, false,  1, false, -
               2,    5,     7,     1, false,     0, false,  1, false, -
               4,    0,     4,     2, true,      0, false,  1, true,  -
            # more idle than max_spare: retire the oldest idle one (one per tick), rate 1
               5,    0,     5,     1, false,     0, true,   1, false, -
               9,    0,     9,     8, false,     0, true,   1, false, -
            # fewer idle than min_spare: spawn min(rate, min_spare - idle, max_children - running), double the rate
               1,    1,     2,     1, false,     1, false,  2, false, -
               0,    3,     3,     1, false,     1, false,  2, false, -
               0,    3,     3,     2, false,     2, false,  4, false, -
               1,    3,     4,     4, false,     1, false,  8, false, -
            # rate 8 and more: the 'seems busy' warning prints the rate, not the number started
               0,    7,     7,     8, false,     2, false, 16, false, BUSY
               0,   10,    10,    16, false,     2, false, 32, false, BUSY
               0,   11,    11,    32, false,     1, false, 32, false, BUSY
            # a spawn ends a max_children episode
               0,    3,     3,     1, true,      1, false,  2, false, -
            # max_children running: warn once per episode, rate 1
               0,   12,    12,    32, false,     0, false,  1, true,  REACHED
               0,   12,    12,     1, true,      0, false,  1, true,  -
               1,   11,    12,     4, false,     0, false,  1, true,  REACHED
            """)
    void dynamicTick(int idle, int active, int running, int rate, boolean warned,
                     int spawn, boolean kill, int nextRate, boolean nextWarned, String warning) {
        PmDecision d = PmDecision.dynamicTick(POOL, new Counts(idle, active, running), idle > 0, new State(rate, warned));
        assertThat(d.spawn()).as("spawn").isEqualTo(spawn);
        assertThat(d.killOldestIdle()).as("kill").isEqualTo(kill);
        assertThat(d.state()).isEqualTo(new State(nextRate, nextWarned));
        String expected = warning == null ? null
                : warning.equals("BUSY") ? BUSY.formatted(rate, idle, running) : REACHED;
        assertThat(d.warning()).isEqualTo(expected);
        assertThat(d.countReached()).as("counted in max children reached").isEqualTo("REACHED".equals(warning));
    }

    @Test
    void moreIdleThanMaxSpareButAllStillStartingKillsNobody() {
        PmDecision d = PmDecision.dynamicTick(POOL, new Counts(5, 0, 5), false, new State(4, false));
        assertThat(d.killOldestIdle()).isFalse();
        assertThat(d.spawn()).isZero();
        assertThat(d.state().spawnRate()).isEqualTo(1);
    }

    /** php-fpm 8.2 under a steady load step (fpm_process_ctl.c, fpm_pctl_perform_idle_server_maintenance): the rate goes 1, 2, 4, 8, 16, 32 and stays. */
    @Test
    void spawnRateDoublesUpToMaxSpawnRate() {
        Dynamic wide = new Dynamic("www", 200, 50, 60, 32);
        State s = State.INITIAL;
        List<Integer> spawned = new ArrayList<>();
        int running = 0;
        for (int tick = 0; tick < 8; tick++) {
            PmDecision d = PmDecision.dynamicTick(wide, new Counts(0, running, running), false, s);
            spawned.add(d.spawn());
            running += d.spawn();
            s = d.state();
        }
        assertThat(spawned).containsExactly(1, 2, 4, 8, 16, 32, 32, 32);
        assertThat(s.spawnRate()).isEqualTo(32);
    }

    @Test
    void spawnRateStopsAtAMaxSpawnRateThatIsNoPowerOfTwo() {
        Dynamic pool = new Dynamic("www", 200, 50, 60, 5);
        State s = State.INITIAL;
        for (int tick = 0; tick < 5; tick++) {
            s = PmDecision.dynamicTick(pool, new Counts(0, 10, 10), false, s).state();
        }
        assertThat(s.spawnRate()).isEqualTo(8); // php-fpm doubles while rate < max: 1, 2, 4, 8
    }

    @ParameterizedTest(name = "last activity {0} ms ago, timeout {1} ms -> kill {2}")
    @CsvSource({
            "999, 1000, false",
            "1000, 1000, false",
            "1001, 1000, true",
            "60000, 10000, true",
    })
    void ondemandTickRetiresTheOldestIdleAfterTheTimeout(long idleMillis, long timeoutMillis, boolean kill) {
        long now = 1_000_000_000_000L;
        PmDecision d = PmDecision.ondemandTick(now - idleMillis * 1_000_000, now, timeoutMillis * 1_000_000,
                State.INITIAL);
        assertThat(d.killOldestIdle()).isEqualTo(kill);
        assertThat(d.spawn()).isZero();
        assertThat(d.warning()).isNull();
    }

    @Test
    void ondemandTickWithoutIdleWorkerDoesNothing() {
        PmDecision d = PmDecision.ondemandTick(null, 5, 1, State.INITIAL);
        assertThat(d.killOldestIdle()).isFalse();
    }

    @ParameterizedTest(name = "running {0} starting {1} waiting {2} warned {3} -> spawn {4}")
    @CsvSource(nullValues = "-", textBlock = """
            # running starting waiting warned | spawn nextWarned warning
                 0,      0,       1,   false,     1,  false, -
                 2,      0,       1,   true,      1,  false, -
                 3,      1,       1,   false,     0,  false, -
                 3,      1,       2,   false,     1,  false, -
                 5,      0,       3,   false,     0,  true,  REACHED
                 5,      0,       4,   true,      0,  true,  -
                 5,      2,       4,   false,     0,  true,  REACHED
            """)
    void ondemandRequestWaiting(int running, int starting, int waiting, boolean warned,
                                int spawn, boolean nextWarned, String warning) {
        Counts c = new Counts(starting, running - starting, running);
        PmDecision d = PmDecision.ondemandRequestWaiting("www", 5, c, waiting, starting, new State(1, warned));
        assertThat(d.spawn()).isEqualTo(spawn);
        assertThat(d.state().maxChildrenWarned()).isEqualTo(nextWarned);
        assertThat(d.warning()).isEqualTo(warning == null ? null
                : "[pool www] server reached max_children setting (5), consider raising it");
        assertThat(d.countReached()).isEqualTo(warning != null);
    }
}
