package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.LogLines;
import org.jfpm.e2e.support.ProjectFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bin/jfpm-aot trains the JVM's AOT cache on a real start and a few requests, and bin/jfpm
 * uses the cache JFPM_AOT_CACHE names: the master maps the file, as /proc/PID/maps shows.
 * A cache that does not fit this jar and JDK is ignored, and not a word of the JVM's about
 * it reaches stdout or stderr (where -t and -v print).
 */
class AotCacheIT {

    @TempDir
    Path tmp;

    @BeforeEach
    void jfpmOnly() {
        assumeFalse(Jfpm.isReference(), "jfpm's launcher and its cache");
    }

    @Test
    void trainedCacheIsMappedByTheMaster() throws Exception {
        Path cache = tmp.resolve("jfpm.aot");
        // as root the training pool runs as nobody, who must reach its script under TMPDIR
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Result training = run(Duration.ofSeconds(90), Map.of("JFPM_AOT_CACHE", cache.toString(), "TMPDIR",
                tmp.toString()), ProjectFiles.root().resolve("bin/jfpm-aot").toString());
        assertThat(training.exit()).as(training.output()).isZero();
        assertThat(training.output()).contains("jfpm-aot: wrote " + cache);
        assertThat(Files.size(cache)).isGreaterThan(1 << 20);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left).as("what the training left in TMPDIR").containsExactly(cache);
        }

        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().render(dir), dir -> Map.of("JFPM_AOT_CACHE", cache.toString()))) {
            assertThat(maps(jfpm.pid())).as("the master's mappings").contains(cache.toString());
        }
    }

    @Test
    void aCacheThatDoesNotFitIsIgnoredSilently() throws Exception {
        Path cache = tmp.resolve("jfpm.aot");
        byte[] garbage = new byte[256 << 10];
        new Random(25).nextBytes(garbage);
        Files.write(cache, garbage);
        Map<String, String> env = Map.of("JFPM_AOT_CACHE", cache.toString());

        Path conf = Files.writeString(tmp.resolve("php-fpm.conf"), Jfpm.pool().render(tmp));
        Result test = run(Duration.ofSeconds(60), env, Jfpm.executable().toString(), "-t", "-R", "-y",
                conf.toString());
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("test is successful").doesNotContain("[aot]", "[cds]", "AOT", "archive");

        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().render(dir), dir -> env)) {
            assertThat(maps(jfpm.pid())).doesNotContain(cache.toString());
            assertThat(jfpm.logText()).doesNotContain("[aot]", "[cds]", "AOT", "archive");
        }
    }

    /**
     * JFPM_JAVA_OPTS may pick its own garbage collector or class sharing: the JVM refuses two
     * collectors, or an AOT cache beside -Xshare or a class-data archive, so the launcher
     * leaves its own choice out.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-Xshare:off", "-XX:+UseG1GC",
        "-XX:+UseParallelGC -Xmx300m", "-XX:SharedArchiveFile=/nonexistent/jfpm.jsa"})
    void theUsersJavaOptionsWin(String options) throws Exception {
        Path cache = Files.write(tmp.resolve("jfpm.aot"), new byte[4096]);
        Path conf = Files.writeString(tmp.resolve("php-fpm.conf"), Jfpm.pool().render(tmp));
        Result test = run(Duration.ofSeconds(60), Map.of("JFPM_AOT_CACHE", cache.toString(), "JFPM_JAVA_OPTS", options),
                Jfpm.executable().toString(), "-t", "-R", "-y", conf.toString());
        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("test is successful");
    }

    private static String maps(long pid) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(pid), "maps"));
    }

    record Result(int exit, String output) {}

    /** Runs a command to its end with stdout and stderr together; fails after the timeout. */
    private static Result run(Duration timeout, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        LogLines out = LogLines.drain(p.getInputStream(), "aot-run");
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + "\n" + out.text());
        }
        out.awaitEnd(Duration.ofSeconds(5));
        return new Result(p.exitValue(), out.text());
    }
}
