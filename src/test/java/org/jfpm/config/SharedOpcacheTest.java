package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jfpm.shared_opcache: its values, which pools share under auto, and what -t says about each. */
class SharedOpcacheTest {

    @TempDir
    Path dir;

    private FpmConfig load(String global, String pool) throws Exception {
        Path conf = dir.resolve("php-fpm.conf");
        Files.writeString(conf, "[global]\nerror_log = " + dir.resolve("error.log") + "\n" + global
                + "\n[www]\nuser = nobody\nlisten = " + dir.resolve("www.sock") + "\n" + pool + "\n");
        return ConfigLoader.load(ConfigOptions.ofFile(conf), Map.of(), true);
    }

    private static List<String> notices(FpmConfig config) {
        return config.messages().stream().map(ConfigMessage::text).toList();
    }

    @Test
    void valuesAreAutoOrABooleanAsPhpFpmWritesOne() {
        assertThat(SharedOpcache.parse("auto")).contains(SharedOpcache.AUTO);
        assertThat(SharedOpcache.parse("AUTO")).contains(SharedOpcache.AUTO);
        for (String yes : List.of("yes", "On", "true", "1")) {
            assertThat(SharedOpcache.parse(yes)).as(yes).contains(SharedOpcache.YES);
        }
        for (String no : List.of("no", "off", "false", "0", "")) {
            assertThat(SharedOpcache.parse(no)).as(no).contains(SharedOpcache.NO);
        }
        assertThat(SharedOpcache.parse("sometimes")).isEmpty();
    }

    @Test
    void aStaticPoolSharesAndSaysWhatItChanges() throws Exception {
        FpmConfig config = load("", "pm = static\npm.max_children = 4");
        assertThat(SharedOpcache.applies(config.pools().getFirst(), config.global())).isTrue();
        assertThat(notices(config)).singleElement().asString()
                .startsWith("[pool www] workers share opcache as children forked by jfpm's php-cgi parent")
                .contains("logged without its signal").doesNotContain("stay forked");
    }

    @Test
    void aDynamicPoolSharesAndSaysItsChildrenStayForked() throws Exception {
        FpmConfig config = load("", "pm = dynamic\npm.max_children = 4\npm.min_spare_servers = 1\n"
                + "pm.max_spare_servers = 2\npm.start_servers = 1");
        assertThat(SharedOpcache.applies(config.pools().getFirst(), config.global())).isTrue();
        assertThat(notices(config)).singleElement().asString()
                .startsWith("[pool www] workers share opcache as children forked by jfpm's php-cgi parent")
                .contains("pm.max_children children stay forked");
    }

    @Test
    void autoKeepsSeparateWorkersWhereAPoolNeedsThemAndSaysWhy() throws Exception {
        FpmConfig decorated = load("", "pm = static\npm.max_children = 2\ncatch_workers_output = yes");
        assertThat(SharedOpcache.applies(decorated.pools().getFirst(), decorated.global())).isFalse();
        assertThat(notices(decorated)).singleElement().asString()
                .startsWith("[pool www] opcache is not shared by jfpm's workers in this pool: decorate_workers_output");

        FpmConfig plainOutput = load("", "pm = static\npm.max_children = 2\ncatch_workers_output = yes\n"
                + "decorate_workers_output = no");
        assertThat(SharedOpcache.applies(plainOutput.pools().getFirst(), plainOutput.global())).isTrue();
        assertThat(notices(plainOutput)).singleElement().asString().contains("workers share opcache");

        FpmConfig emergency = load("emergency_restart_threshold = 3\nemergency_restart_interval = 1m",
                "pm = static\npm.max_children = 2");
        assertThat(SharedOpcache.applies(emergency.pools().getFirst(), emergency.global())).isFalse();
        assertThat(notices(emergency)).anyMatch(n -> n.contains("emergency_restart_threshold counts children"));

        FpmConfig capped = load("process.max = 3", "pm = static\npm.max_children = 2");
        assertThat(SharedOpcache.applies(capped.pools().getFirst(), capped.global())).isFalse();
    }

    @Test
    void yesAndNoOverrideAuto() throws Exception {
        FpmConfig forced = load("", "pm = static\npm.max_children = 2\ncatch_workers_output = yes\n"
                + "jfpm.shared_opcache = yes");
        assertThat(SharedOpcache.applies(forced.pools().getFirst(), forced.global())).isTrue();
        FpmConfig off = load("", "pm = dynamic\npm.max_children = 4\npm.min_spare_servers = 1\n"
                + "pm.max_spare_servers = 2\npm.start_servers = 1\njfpm.shared_opcache = no");
        assertThat(SharedOpcache.applies(off.pools().getFirst(), off.global())).isFalse();
        assertThat(notices(off)).isEmpty();
    }

    @Test
    void anUnknownValueIsRefusedWithFileAndLine() {
        assertThatThrownBy(() -> load("", "pm = static\npm.max_children = 2\njfpm.shared_opcache = sometimes"))
                .hasMessageContaining("php-fpm.conf:9] unable to parse value for entry 'jfpm.shared_opcache'");
    }
}
