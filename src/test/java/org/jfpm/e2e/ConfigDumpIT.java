package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.ScratchDir;
import org.junit.jupiter.api.Test;

/**
 * {@code jfpm -tt} against {@code php-fpm8.2 -tt} on the same rich configuration:
 * two pools (one from an include glob), {@code $pool}, {@code ${ENV}}, arrays, time
 * values, every pm. Line for line once the timestamps are removed.
 */
class ConfigDumpIT {
    private static final Path PHP_FPM = Path.of("/usr/sbin/php-fpm8.2");

    @Test
    void effectiveConfigurationIsPhpFpmsLineForLine() throws Exception {
        assumeTrue(Files.isExecutable(PHP_FPM), "needs Debian's php8.2-fpm (the oracle)");
        try (ScratchDir dir = ScratchDir.create("jfpm-tt-")) {
            Files.createDirectories(dir.path().resolve("inc"));
            dir.write("php-fpm.conf", resource("php-fpm.conf").replace("@DIR@", dir.path().toString()));
            dir.write("inc/api.conf", resource("api.conf"));
            Path conf = dir.path().resolve("php-fpm.conf");
            List<String> reference = dump(List.of(PHP_FPM.toString(), "-tt", "-y", conf.toString()));
            List<String> jfpm = dump(List.of(Jfpm.executable().toString(), "-tt", "-y", conf.toString()));
            assertThat(reference).as("php-fpm8.2 -tt").anyMatch(l -> l.contains("test is successful"));
            // the only lines allowed to differ name a real difference, in jfpm's own words
            List<String> differences = jfpm.stream().filter(l -> l.contains("by jfpm")).toList();
            assertThat(differences).allMatch(l -> l.startsWith("NOTICE: [pool "));
            assertThat(jfpm.stream().filter(l -> !l.contains("by jfpm")).toList())
                    .containsExactlyElementsOf(reference);
        }
    }

    private static String resource(String name) throws IOException {
        try (var in = ConfigDumpIT.class.getResourceAsStream("/config/live/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** stderr of a -tt run, timestamps removed. */
    private static List<String> dump(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("APP_ENV", "prod");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        List<String> lines = new ArrayList<>();
        out.lines().forEach(l -> lines.add(l.replaceFirst("^\\[[^]]+\\] ", "")));
        return lines;
    }
}
