package org.jfpm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the prelude learns the pool's settings from php-cgi -i, and what it adds to the command line. */
class PreludeTest {

    @Test
    void readsTheLocalValuesFromPhpinfoHtml() throws Exception {
        String html = """
                <tr><td class="e">cgi.fix_pathinfo</td><td class="v">Off</td><td class="v">Off</td></tr>
                <tr><td class="e">auto_prepend_file</td><td class="v">/srv/a&nbsp;b&amp;c.php</td><td class="v">x</td></tr>
                <tr><td class="e">open_basedir</td><td class="v"><i>no value</i></td><td class="v"><i>no value</i></td></tr>
                """;
        Prelude.Settings s = Prelude.parse(html);
        assertThat(s.autoPrependFile()).isEqualTo("/srv/a b&c.php");
        assertThat(s.openBasedir()).isEmpty();
        assertThat(s.fixPathinfo()).isFalse();
        assertThat(s.exposePhp()).as("off when phpinfo does not show it").isFalse();
    }

    @Test
    void readsExposePhpAndThePhpVersion() throws Exception {
        String html = """
                <tr><td class="e">PHP Version </td><td class="v">8.2.36 </td></tr>
                <tr><td class="e">auto_prepend_file</td><td class="v"><i>no value</i></td><td class="v"><i>no value</i></td></tr>
                <tr><td class="e">expose_php</td><td class="v">On</td><td class="v">Off</td></tr>
                <tr><td class="e">open_basedir</td><td class="v"><i>no value</i></td><td class="v"><i>no value</i></td></tr>
                """;
        Prelude.Settings s = Prelude.parse(html);
        assertThat(s.exposePhp()).isTrue();
        assertThat(s.phpVersion()).isEqualTo("8.2.36");
        assertThat(s.fixPathinfo()).as("PHP's default when not shown").isTrue();
    }

    @Test
    void theCommandLineEndsWithThePreludeAndChainsThePoolsOwnPrepend() {
        PhpCgi php = new PhpCgi(Path.of("/opt/php/bin/php-cgi"), "");
        Map<String, String> values = new LinkedHashMap<>(Map.of("auto_prepend_file", "/srv/own.php"));
        WorkerSpec spec = WorkerSpec.forPool("www", php).values(new LinkedHashMap<>(values), new LinkedHashMap<>())
                .environment(new LinkedHashMap<>(), true).runtimeDir(Path.of("/run/jfpm/pool0")).build()
                .withPrelude(new Prelude(Path.of("/run/jfpm/pool0/prelude.php"), "00ff", "/srv/own.php", "/srv", true, ""));
        List<String> cmd = WorkerCommand.build(spec, Path.of("/run/jfpm/pool0/1.sock"), Map.of()).command();
        assertThat(String.join(" ", cmd)).endsWith("-d auto_prepend_file='/srv/own.php'"
                + " -d auto_prepend_file='/run/jfpm/pool0/prelude.php' -d jfpm.finish_marker=00ff"
                + " -d jfpm.status_socket='/run/jfpm/pool0/status.sock'"
                + " -d jfpm.user_prepend='/srv/own.php' -d open_basedir='/srv:/run/jfpm/pool0'"
                + " -b /run/jfpm/pool0/1.sock");
    }

    /** A parent started on the guess (no prepend, no open_basedir of the pool's own) is kept only when it was right. */
    @Test
    void aSharedParentAdoptsTheAnswerOnlyWhenItsCommandLineIsTheGuessed() {
        PhpCgi php = new PhpCgi(Path.of("/opt/php/bin/php-cgi"), "");
        WorkerSpec bare = WorkerSpec.forPool("www", php).environment(new LinkedHashMap<>(), true)
                .runtimeDir(Path.of("/run/jfpm/pool0")).build();
        Path file = Path.of("/run/jfpm/pool0/prelude.php");
        WorkerSpec guess = bare.withPrelude(new Prelude(file, "00ff", "", "", true, ""));

        assertThat(new SharedParent(guess, 4).adopt(bare.withPrelude(new Prelude(file, "00ff", "", "", false,
                "X-Powered-By: PHP/8.2.36\r\n")))).as("fix_pathinfo and expose_php are the master's, not php-cgi's")
                .isTrue();
        assertThat(new SharedParent(guess, 4).adopt(bare.withPrelude(new Prelude(file, "00ff", "/srv/own.php", "",
                true, "")))).isFalse();
        assertThat(new SharedParent(guess, 4).adopt(bare.withPrelude(new Prelude(file, "00ff", "", "/srv", true,
                "")))).isFalse();
        assertThat(new SharedParent(guess, 2).adopt(guess)).isTrue();
    }
}
