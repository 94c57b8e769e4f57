package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * jfpm's own pool directives (jfpm.queue_timeout, jfpm.queue_limit, jfpm.max_memory,
 * jfpm.max_lifetime): their values, php-fpm-style refusals with file and line, and
 * {@code -tt}, which lists them after php-fpm's directives when they are set.
 */
class JfpmDirectivesTest {

    @TempDir
    Path dir;

    private FpmConfig load(String pool) throws Exception {
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, "[global]\nerror_log = " + dir.resolve("error.log") + "\n[www]\nuser = nobody\n"
                + "listen = " + dir.resolve("www.sock") + "\npm = static\npm.max_children = 2\n" + pool + "\n");
        return ConfigLoader.load(ConfigOptions.ofFile(conf), Map.of(), true);
    }

    @Test
    void defaultsLeaveEverythingAsPhpFpmDoes() throws Exception {
        PoolConfig pool = load("").pools().getFirst();
        assertThat(pool.queueTimeoutMillis()).isZero();
        assertThat(pool.queueLimit()).isZero();
        assertThat(pool.maxMemoryBytes()).isZero();
        assertThat(pool.maxLifetimeMillis()).isZero();
    }

    @Test
    void valuesWithTheirUnits() throws Exception {
        PoolConfig pool = load("jfpm.queue_timeout = 500ms\njfpm.queue_limit = 100\njfpm.max_memory = 256M\n"
                + "jfpm.max_lifetime = 2h").pools().getFirst();
        assertThat(pool.queueTimeoutMillis()).isEqualTo(500);
        assertThat(pool.queueLimit()).isEqualTo(100);
        assertThat(pool.maxMemoryBytes()).isEqualTo(256L << 20);
        assertThat(pool.maxLifetimeMillis()).isEqualTo(7_200_000);
        PoolConfig other = load("jfpm.queue_timeout = 5\njfpm.max_memory = 1g\njfpm.max_lifetime = 30m")
                .pools().getFirst();
        assertThat(other.queueTimeoutMillis()).as("no unit: seconds, as php-fpm's times").isEqualTo(5000);
        assertThat(other.maxMemoryBytes()).isEqualTo(1L << 30);
        assertThat(other.maxLifetimeMillis()).isEqualTo(1_800_000);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "jfpm.queue_timeout = 5x   | 'jfpm.queue_timeout': invalid time value",
        "jfpm.queue_timeout = -1s  | 'jfpm.queue_timeout': invalid time value",
        "jfpm.queue_timeout = 1.5s | 'jfpm.queue_timeout': invalid time value",
        "jfpm.queue_limit = -3     | 'jfpm.queue_limit': is not a valid number (greater or equal than zero)",
        "jfpm.queue_limit = ten    | 'jfpm.queue_limit': is not a valid number (greater or equal than zero)",
        "jfpm.max_memory = 256Q    | 'jfpm.max_memory': invalid size",
        "jfpm.max_memory = lots    | 'jfpm.max_memory': invalid size",
        "jfpm.max_lifetime = 1.5h  | 'jfpm.max_lifetime': invalid time value",
    })
    void aBadValueIsRefusedWithFileAndLine(String line, String reason) {
        assertThatThrownBy(() -> load(line))
                .hasMessageContaining("php-fpm.conf:8] unable to parse value for entry " + reason);
    }

    @Test
    void dumpListsTheSetOnesAfterPhpFpmsDirectives() throws Exception {
        var dump = load("jfpm.queue_limit = 10\njfpm.max_memory = 256M\njfpm.queue_timeout = 1500ms").dump();
        int last = dump.indexOf("\tphp_admin_value[error_log] = " + dir.resolve("error.log"));
        int limit = dump.indexOf("\tjfpm.queue_limit = 10");
        assertThat(limit).as(String.join("\n", dump)).isPositive();
        assertThat(dump).contains("\tjfpm.queue_timeout = 1500ms", "\tjfpm.max_memory = 256M")
                .doesNotContain("\tjfpm.max_lifetime = 0s");
        assertThat(dump.indexOf("\tjfpm.queue_timeout = 1500ms")).isLessThan(limit);
        assertThat(dump.get(dump.size() - 1)).as("the pool's section still ends with php-fpm's blank line")
                .isEqualTo(" ");
        assertThat(limit).isGreaterThan(last);
        assertThat(load("").dump()).noneMatch(l -> l.contains("jfpm."));
    }
}
