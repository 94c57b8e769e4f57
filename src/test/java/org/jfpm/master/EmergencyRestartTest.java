package org.jfpm.master;

import static org.assertj.core.api.Assertions.assertThat;

import org.jfpm.os.Signals;
import org.junit.jupiter.api.Test;

class EmergencyRestartTest {
    private static final long S = 1_000_000_000L;

    @Test
    void thresholdDeathsWithinTheIntervalCallForAReload() {
        EmergencyRestart e = new EmergencyRestart(2, 60);
        assertThat(e.workerDied(Signals.SIGSEGV, 0)).isFalse();
        assertThat(e.workerDied(Signals.SIGBUS, 59 * S)).isTrue();
        assertThat(e.warning()).isEqualTo("failed processes threshold (2 in 60 sec) is reached, initiating reload");
        // counting starts again after a reload
        assertThat(e.workerDied(Signals.SIGSEGV, 60 * S)).isFalse();
    }

    @Test
    void deathsFartherApartThanTheIntervalDoNot() {
        EmergencyRestart e = new EmergencyRestart(2, 10);
        assertThat(e.workerDied(Signals.SIGSEGV, 0)).isFalse();
        assertThat(e.workerDied(Signals.SIGSEGV, 11 * S)).isFalse();
        assertThat(e.workerDied(Signals.SIGSEGV, 12 * S)).isTrue(); // the last two are 1 s apart
    }

    @Test
    void onlySegvAndBusCountAndBothSettingsAreNeeded() {
        EmergencyRestart e = new EmergencyRestart(1, 10);
        assertThat(e.workerDied(Signals.SIGKILL, 0)).isFalse();
        assertThat(e.workerDied(Signals.SIGTERM, 0)).isFalse();
        assertThat(e.workerDied(Signals.SIGSEGV, 0)).isTrue();
        assertThat(new EmergencyRestart(1, 0).workerDied(Signals.SIGSEGV, 0)).isFalse();
        assertThat(new EmergencyRestart(0, 10).workerDied(Signals.SIGSEGV, 0)).isFalse();
    }
}
