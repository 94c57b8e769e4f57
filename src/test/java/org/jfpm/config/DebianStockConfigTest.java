package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfpm.os.Accounts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Debian's shipped php-fpm.conf and pool.d/www.conf (copies in test resources) load unmodified. */
class DebianStockConfigTest {
    @TempDir
    Path dir;

    @Test
    void stockWwwPoolIsAccepted() throws Exception {
        Path www = Path.of(getClass().getResource("/config/good/debian-www.conf").toURI());
        Path main = dir.resolve("php-fpm.conf");
        Files.writeString(main, "[global]\nerror_log = " + dir.resolve("error.log") + "\ninclude = " + www + "\n");
        FpmConfig config = ConfigLoader.load(ConfigOptions.ofFile(main), Map.of(), true);
        PoolConfig pool = config.pools().getFirst();
        assertThat(pool.name()).isEqualTo("www");
        assertThat(pool.user()).isEqualTo("www-data");
        assertThat(pool.listen()).isEqualTo("/run/php/php8.2-fpm.sock");
        assertThat(pool.pm()).isEqualTo(Pm.DYNAMIC);
        assertThat(List.of(pool.pmMaxChildren(), pool.pmStartServers(), pool.pmMinSpareServers(),
                pool.pmMaxSpareServers())).containsExactly(5, 2, 1, 3);
        assertThat(pool.listenMode()).isEqualTo("0660");
        // php-fpm prints nothing for it; jfpm only its own notice about the shared workers of a dynamic pool
        assertThat(config.messages()).extracting(ConfigMessage::text)
                .singleElement().asString().contains("children forked by jfpm's php-cgi parent");
    }

    /** The real main file writes /var/log/php8.2-fpm.log like php-fpm -t does, so only as root. */
    @Test
    void stockMainFileIsAcceptedUnmodified() throws Exception {
        Assumptions.assumeTrue(Accounts.runningAsRoot() && Files.isDirectory(Path.of("/etc/php/8.2/fpm/pool.d")));
        Path main = Path.of(getClass().getResource("/config/good/debian-php-fpm.conf").toURI());
        FpmConfig config = ConfigLoader.load(ConfigOptions.ofFile(main), Map.of(), true);
        assertThat(config.global().pid()).isEqualTo(Path.of("/run/php/php8.2-fpm.pid"));
        assertThat(config.global().errorLog()).isEqualTo("/var/log/php8.2-fpm.log");
        assertThat(config.pools()).extracting(PoolConfig::name).contains("www");
    }
}
