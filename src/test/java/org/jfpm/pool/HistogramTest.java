package org.jfpm.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The latency histogram behind jfpm_request_duration_seconds and jfpm_queue_wait_seconds. */
class HistogramTest {

    @Test
    void countsAreCumulativePerBoundWithTheRestInInf() {
        Histogram h = new Histogram();
        h.observe(1_000_000);          // 1 ms
        h.observe(5_000_000);          // 5 ms: on the bound, counted in it (le)
        h.observe(7_000_000);          // 7 ms
        h.observe(3_000_000_000L);     // 3 s
        h.observe(100_000_000_000L);   // 100 s: above the last bound
        h.observe(-5);                 // a clock step back counts as 0
        Histogram.Reading r = h.read();
        long[] c = r.cumulative();
        assertThat(c[0]).as("<= 5 ms").isEqualTo(3);
        assertThat(c[1]).as("<= 10 ms").isEqualTo(4);
        assertThat(c[8]).as("<= 2.5 s").isEqualTo(4);
        assertThat(c[9]).as("<= 5 s").isEqualTo(5);
        assertThat(c[12]).as("<= 60 s").isEqualTo(5);
        assertThat(r.count()).isEqualTo(6);
        assertThat(r.sumSeconds()).isCloseTo(103.013, within(1e-9));
    }

    @Test
    void quantileBoundIsTheFirstBucketHoldingTheRank() {
        Histogram h = new Histogram();
        assertThat(h.read().quantileBound(0.5)).isNaN();
        for (int i = 0; i < 98; i++) {
            h.observe(2_000_000);
        }
        h.observe(400_000_000);
        h.observe(400_000_000);
        assertThat(h.read().quantileBound(0.5)).isEqualTo(0.005);
        assertThat(h.read().quantileBound(0.99)).isEqualTo(0.5);
        h.observe(90_000_000_000L);
        assertThat(h.read().quantileBound(1.0)).isInfinite();
    }
}
