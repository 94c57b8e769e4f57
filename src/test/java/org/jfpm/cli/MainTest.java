package org.jfpm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void virtualThreadsRunOnHalfTheProcessorsAndOneAtLeast() {
        assertThat(Main.carriers(1)).isEqualTo(1);
        assertThat(Main.carriers(2)).isEqualTo(1);
        assertThat(Main.carriers(3)).isEqualTo(1);
        assertThat(Main.carriers(4)).isEqualTo(2);
        assertThat(Main.carriers(16)).isEqualTo(8);
    }

    @Test
    void aParallelismGivenOnTheCommandLineIsKept() {
        String before = System.getProperty(Main.CARRIERS);
        try {
            System.setProperty(Main.CARRIERS, "3");
            Main.shareTheMachine();
            assertThat(System.getProperty(Main.CARRIERS)).isEqualTo("3");

            System.clearProperty(Main.CARRIERS);
            Main.shareTheMachine();
            assertThat(System.getProperty(Main.CARRIERS))
                    .isEqualTo(Integer.toString(Main.carriers(Runtime.getRuntime().availableProcessors())));
        } finally {
            if (before == null) {
                System.clearProperty(Main.CARRIERS);
            } else {
                System.setProperty(Main.CARRIERS, before);
            }
        }
    }
}
