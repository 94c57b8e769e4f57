package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: whatever the file holds, the loader returns a configuration or throws
 * ConfigException with at least the closing line — never any other exception.
 */
class LoaderRobustnessTest {
    private static final String VALID = """
            [global]
            error_log = @DIR@/fpm.log
            [www]
            listen = 127.0.0.1:19001
            pm = dynamic
            pm.max_children = 5
            pm.min_spare_servers = 1
            pm.max_spare_servers = 3
            access.format = "%R %u %{mili}d"
            env[PATH] = $PATH
            php_admin_value[error_reporting] = E_ALL & ~E_DEPRECATED
            request_terminate_timeout = 30s
            """;
    private static final String ALPHABET = "[]=;\"'${}|&^~!()# \t\n\r\\abcdEPL_.0123456789-/%:";

    @TempDir
    Path dir;

    @Test
    void randomBytesNeverEscapeAsAnythingButConfigException() throws IOException {
        Random random = new Random(20260101);
        for (int i = 0; i < 500; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            assertLoadsOrFailsCleanly(bytes);
        }
    }

    @Test
    void mutationsOfAValidFileNeverEscapeAsAnythingButConfigException() throws IOException {
        Random random = new Random(42);
        String valid = VALID.replace("@DIR@", dir.toString()); // the loader creates error_log, as php-fpm -t does
        int keep = valid.indexOf("[www]"); // leave error_log alone so nothing is created outside the temp dir
        for (int i = 0; i < 2000; i++) {
            StringBuilder text = new StringBuilder(valid);
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = keep + random.nextInt(text.length() - keep);
                switch (random.nextInt(3)) {
                    case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 -> text.deleteCharAt(Math.min(at, text.length() - 1));
                    default -> text.setCharAt(Math.min(at, text.length() - 1),
                            ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                }
            }
            assertLoadsOrFailsCleanly(text.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private void assertLoadsOrFailsCleanly(byte[] content) throws IOException {
        Path file = dir.resolve("fuzz.conf");
        Files.write(file, content);
        ConfigOptions options = new ConfigOptions(file, null, null, null, true, null, false, List.of());
        try {
            FpmConfig config = ConfigLoader.load(options, Map.of("PATH", "/bin"), true);
            assertThat(config.pools()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.messages()).isNotEmpty();
            assertThat(e.messages().getLast().text()).isEqualTo("FPM initialization failed");
        }
    }
}
