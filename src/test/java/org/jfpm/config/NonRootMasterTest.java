package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A master that is not root (observed with php-fpm8.2 run as nobody): a running master ignores
 * the pools' user and group with a NOTICE, even names no passwd entry has; {@code -t} still
 * resolves them and fails on an unknown one; listen.owner is resolved either way.
 */
class NonRootMasterTest {

    @TempDir
    Path dir;

    private Path conf(String poolLines) throws Exception {
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, "[global]\nerror_log = " + dir.resolve("error.log") + "\n[www]\nlisten = "
                + dir.resolve("www.sock") + "\npm = static\npm.max_children = 2\n" + poolLines + "\n");
        return conf;
    }

    private static ConfigOptions options(Path conf, boolean test) {
        return new ConfigOptions(conf, null, null, null, false, null, false, List.of(), test);
    }

    @Test
    void aRunningMasterIgnoresUnknownUserAndGroupWithANotice() throws Exception {
        Path conf = conf("user = no-such-user-jfpm\ngroup = no-such-group-jfpm");
        FpmConfig config = ConfigLoader.load(options(conf, false), Map.of(), false);
        assertThat(config.startupMessages()).extracting(ConfigMessage::text).containsExactly(
                "[pool www] 'user' directive is ignored when FPM is not running as root",
                "[pool www] 'group' directive is ignored when FPM is not running as root");
    }

    @Test
    void aConfigurationTestStillResolvesThem() throws Exception {
        Path conf = conf("user = no-such-user-jfpm");
        assertThatThrownBy(() -> ConfigLoader.load(options(conf, true), Map.of(), false))
                .hasMessageContaining("[pool www] cannot get uid for user 'no-such-user-jfpm'");
    }

    @Test
    void listenOwnerIsResolvedEvenWhenNotRoot() throws Exception {
        Path conf = conf("listen.owner = no-such-user-jfpm");
        assertThatThrownBy(() -> ConfigLoader.load(options(conf, false), Map.of(), false))
                .hasMessageContaining("cannot get uid for user 'no-such-user-jfpm'");
    }
}
