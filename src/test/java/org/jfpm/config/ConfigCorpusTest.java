package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: each {@code config/bad/X.conf} and {@code config/good/X.conf} has an
 * {@code X.expected} holding what {@code php-fpm8.2 -t -R} (bad) or {@code -tt -R} (good) printed
 * for it, timestamps stripped, the file's path written as {file}. jfpm must print the same.
 * The expectations were produced by php-fpm8.2 itself; see docs/configuration.md.
 */
class ConfigCorpusTest {
    /** bad-boolean.conf reads ${JFPM_TEST_YES}: "YES" must be refused (keywords are not applied to variables). */
    private static final Map<String, String> ENV = Map.of("JFPM_TEST_YES", "YES", "PATH", "/usr/bin:/bin");

    /** Fixed paths, as php-fpm's expected output names them: the recursive include fixture. */
    private static final Path RECURSIVE = Path.of("/tmp/jfpm-config-test-recursive.conf");
    /** The error_log and slowlog the corpus names, which loading creates as php-fpm -t does. */
    private static final List<Path> LOGS = List.of(Path.of("/tmp/jfpm-config-test.log"), Path.of("/tmp/jfpm-slow.log"));
    private static final List<Path> created = new ArrayList<>();

    @BeforeAll
    static void recursiveIncludeFixture() throws IOException {
        Files.writeString(RECURSIVE, "include = " + RECURSIVE + "\n");
        created.add(RECURSIVE);
        LOGS.stream().filter(Files::notExists).forEach(created::add);
    }

    @AfterAll
    static void removeWhatTheTestsCreated() throws IOException {
        for (Path p : created) {
            Files.deleteIfExists(p);
        }
    }

    static Stream<Path> badConfigs() throws IOException, URISyntaxException {
        return configs("bad");
    }

    static Stream<Path> goodConfigs() throws IOException, URISyntaxException {
        return configs("good").filter(p -> Files.exists(expectedFile(p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigIsRefusedWithPhpFpmsMessages(Path conf) throws IOException {
        List<String> expected = expected(conf);
        try {
            ConfigLoader.load(options(conf), ENV, true);
            fail("accepted " + conf + ", php-fpm says " + expected);
        } catch (ConfigException e) {
            assertThat(render(e.messages())).containsExactlyElementsOf(expected);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodConfigs")
    void goodConfigDumpsLikePhpFpm(Path conf) throws Exception {
        FpmConfig config = ConfigLoader.load(options(conf), ENV, true);
        // jfpm's own notices (JfpmDifferences: they all name jfpm) are not php-fpm's output
        List<String> printed = new ArrayList<>(render(config.messages()).stream()
                .filter(line -> !line.contains("by jfpm")).toList());
        config.dump().forEach(line -> printed.add("NOTICE: " + line));
        printed.add("NOTICE: configuration file " + conf + " test is successful");
        assertThat(printed).containsExactlyElementsOf(expected(conf));
    }

    private static ConfigOptions options(Path conf) {
        return new ConfigOptions(conf, null, null, null, true, null, false, List.of());
    }

    static List<String> render(List<ConfigMessage> messages) {
        return messages.stream().map(m -> m.level() == null ? m.text() : m.level() + ": " + m.text()).toList();
    }

    private static List<String> expected(Path conf) throws IOException {
        return Files.readAllLines(expectedFile(conf)).stream().map(l -> l.replace("{file}", conf.toString())).toList();
    }

    private static Path expectedFile(Path conf) {
        String name = conf.getFileName().toString();
        return conf.resolveSibling(name.substring(0, name.length() - ".conf".length()) + ".expected");
    }

    private static Stream<Path> configs(String dir) throws IOException, URISyntaxException {
        Path base = Path.of(ConfigCorpusTest.class.getResource("/config/" + dir).toURI());
        try (Stream<Path> files = Files.list(base)) {
            return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList().stream();
        }
    }
}
