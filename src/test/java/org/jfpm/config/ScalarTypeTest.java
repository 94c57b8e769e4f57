package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jfpm.log.Level;
import org.junit.jupiter.api.Test;

class ScalarTypeTest {
    @Test
    void integersFollowPhpFpmsCharacterCheckThenAtoi() throws Exception {
        assertThat(ScalarType.INTEGER.parse("", null)).isZero();
        assertThat(ScalarType.INTEGER.parse("-5", null)).isEqualTo(-5);
        assertThat(ScalarType.INTEGER.parse("0012", null)).isEqualTo(12);
        for (String bad : new String[] {"+5", "10k", "1.5", " 1", "5-"}) {
            assertThatThrownBy(() -> ScalarType.INTEGER.parse(bad, null))
                    .hasMessage("is not a valid number (greater or equal than zero)");
        }
    }

    @Test
    void timesTakeLowerCaseSuffixesAndAtoi() throws Exception {
        assertThat(ScalarType.TIME.parse("30", null)).isEqualTo(30);
        assertThat(ScalarType.TIME.parse("2m", null)).isEqualTo(120);
        assertThat(ScalarType.TIME.parse("1h", null)).isEqualTo(3600);
        assertThat(ScalarType.TIME.parse("1d", null)).isEqualTo(86400);
        assertThat(ScalarType.TIME.parse("1.5m", null)).isEqualTo(60);
        assertThatThrownBy(() -> ScalarType.TIME.parse("5M", null)).hasMessage("unknown suffix used in time value");
        assertThatThrownBy(() -> ScalarType.TIME.parse("", null)).hasMessage("invalid time value");
        assertThat(ScalarType.TIME.render(30)).isEqualTo("30s");
        assertThat(ScalarType.TIME_DUMPED_BARE.render(10)).isEqualTo("10");
    }

    @Test
    void booleansAcceptPhpFpmsExactWordsOnly() throws Exception {
        for (String yes : new String[] {"1", "yes", "true", "on"}) {
            assertThat(ScalarType.BOOLEAN.parse(yes, null)).isTrue();
        }
        for (String no : new String[] {"", "0", "no", "none", "false", "off"}) {
            assertThat(ScalarType.BOOLEAN.parse(no, null)).isFalse();
        }
        assertThatThrownBy(() -> ScalarType.BOOLEAN.parse("YES", null)).hasMessage("invalid boolean value");
    }

    @Test
    void stringsExpandPoolNameOnlyInsideAPool() throws Exception {
        assertThat(ScalarType.STRING.parse("/run/$pool.sock", "www")).isEqualTo("/run/www.sock");
        assertThatThrownBy(() -> ScalarType.STRING.parse("$pool", null))
                .hasMessage("Can't use '$pool' when the pool is not defined");
    }

    @Test
    void enumeratedTypes() throws Exception {
        assertThat(ScalarType.LOG_LEVEL.parse("WARN", null)).isEqualTo(Level.WARNING);
        assertThat(ScalarType.LOG_LEVEL.render(null)).isEqualTo("unknown value");
        assertThat(ScalarType.RLIMIT_CORE.parse("Unlimited", null)).isEqualTo(-1L);
        assertThatThrownBy(() -> ScalarType.RLIMIT_CORE.parse("-1", null))
                .hasMessage("must be greater than zero or 'unlimited'");
        assertThat(ScalarType.PROCESS_MANAGER.parse("OnDemand", null)).isEqualTo(Pm.ONDEMAND);
        assertThat(ScalarType.SYSLOG_FACILITY.render(ScalarType.SYSLOG_FACILITY.parse("local3", null)))
                .isEqualTo("152");
    }
}
