package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Examples;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Listening;
import org.jfpm.e2e.support.LogLines;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;

/**
 * examples/docker/: Docker cannot run here, so the container's conventions are checked by
 * running what the container would run: the Dockerfile's CMD on its php-fpm.conf (with
 * {@code listen = 9000} moved to a free loopback port), served one request over TCP, then
 * stopped with the Dockerfile's STOPSIGNAL, as {@code docker stop} does.
 */
class DockerRecipeIT {

    private static final Pattern CMD = Pattern.compile("(?m)^CMD\\s+\\[(.*)]\\s*$");
    private static final Pattern HEALTHCHECK = Pattern.compile("(?m)^HEALTHCHECK\\s.*\\bCMD\\s+\\[(.*)]\\s*$");
    private static final Pattern STOPSIGNAL = Pattern.compile("(?m)^STOPSIGNAL\\s+SIG(\\w+)\\s*$");

    @Test
    void theCommandServesOnStderrLogsAndStopsCleanlyOnTheStopSignal() throws Exception {
        assumeTrue(!Jfpm.isReference(), "runs jfpm's command line");
        String dockerfile = Files.readString(ProjectFiles.root().resolve("examples/docker/Dockerfile"));
        assertThat(dockerfile).contains("\nEXPOSE 9000\n");
        Matcher stop = STOPSIGNAL.matcher(dockerfile);
        assertThat(stop.find()).as("STOPSIGNAL in the Dockerfile").isTrue();
        assertThat(stop.group(1)).isEqualTo("QUIT");
        Matcher cmd = CMD.matcher(dockerfile);
        assertThat(cmd.find()).as("CMD [...] in the Dockerfile").isTrue();
        List<String> command = words(cmd.group(1));
        Matcher health = HEALTHCHECK.matcher(dockerfile);
        assertThat(health.find()).as("HEALTHCHECK ... CMD [...] in the Dockerfile").isTrue();
        List<String> healthCommand = words(health.group(1));
        assertThat(healthCommand).startsWith("jfpm", "ping");
        assertThat(command).startsWith("jfpm").contains("/usr/local/etc/php-fpm.conf");

        boolean root = "root".equals(System.getProperty("user.name"));
        try (ScratchDir dir = ScratchDir.create("docker-e2e-")) {
            int port = Listening.free();
            Examples conf = Examples.file("docker/php-fpm.conf").swap("listen = 9000", "listen = 127.0.0.1:" + port);
            if (!root) {
                conf.swap("user = www-data", "").swap("group = www-data", "");
            }
            Path confFile = dir.write("php-fpm.conf", conf.text());
            Path page = dir.write("hello.php", "<?php header('X-From: jfpm'); echo 'hello ', getenv('JFPM_DOCKER_ENV'), \"\\n\";");
            command.replaceAll(w -> w.equals("/usr/local/etc/php-fpm.conf") ? confFile.toString() : w);
            command.set(0, ProjectFiles.launcher().toString());

            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.path().toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            // clear_env = no: the container's environment reaches PHP, as in php:fpm
            pb.environment().put("JFPM_DOCKER_ENV", "from-the-container");
            Process master = pb.start();
            LogLines stderr = LogLines.drain(master.getErrorStream(), "docker-stderr");
            LogLines stdout = LogLines.drain(master.getInputStream(), "docker-stdout");
            List<ProcessHandle> family = new ArrayList<>();
            try {
                assertThat(stderr.await("NOTICE: ready to handle connections", Duration.ofSeconds(30)))
                        .as("error_log = /proc/self/fd/2: the log is on stderr\n" + stderr.text()).isPresent();
                family.addAll(master.descendants().toList());

                FcgiClient.Response r;
                try (FcgiClient client = FcgiClient.connect("127.0.0.1", port)) {
                    r = client.request(Map.of("SCRIPT_FILENAME", page.toString(), "SCRIPT_NAME", "/hello.php",
                            "REQUEST_URI", "/hello.php", "REQUEST_METHOD", "GET", "QUERY_STRING", ""), new byte[0]);
                }
                assertThat(r.status()).as(stderr.text()).isEqualTo(200);
                assertThat(r.header("X-From")).isEqualTo("jfpm");
                assertThat(r.bodyText()).isEqualTo("hello from-the-container\n");
                // the HEALTHCHECK, as Docker would run it in the container
                healthCommand.replaceAll(w -> w.equals("/usr/local/etc/php-fpm.conf") ? confFile.toString() : w);
                healthCommand.set(0, ProjectFiles.launcher().toString());
                Process check = new ProcessBuilder(healthCommand).redirectErrorStream(true).start();
                String said = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(check.exitValue()).as(said).isZero();
                // access.log = /proc/self/fd/2: the access line is on stderr too
                assertThat(stderr.await("\"GET /hello.php\" 200", Duration.ofSeconds(10)))
                        .as("access line on stderr\n" + stderr.text()).isPresent();

                family.addAll(master.descendants().toList());
                Pids.signal(master.pid(), stop.group(1));
                assertThat(master.waitFor(30, TimeUnit.SECONDS)).as("exit after SIG" + stop.group(1) + "\n" + stderr.text()).isTrue();
                stderr.awaitEnd(Duration.ofSeconds(5));
                assertThat(master.exitValue()).as(stderr.text()).isZero();
                assertThat(stderr.text()).contains("NOTICE: Finishing ...", "NOTICE: exiting, bye-bye!");
                assertThat(stdout.text()).isEmpty();
                assertThat(Pids.awaitGone(family.stream().map(ProcessHandle::pid).toList(), Duration.ofSeconds(5)))
                        .as("workers outliving the master").isEmpty();
                assertThat(Listening.accepts(port)).as("port " + port + " still open").isFalse();
            } finally {
                family.addAll(master.descendants().toList());
                if (master.isAlive()) {
                    master.destroyForcibly();
                    master.waitFor(5, TimeUnit.SECONDS);
                }
                family.stream().filter(p -> Pids.isRunning(p.pid())).forEach(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** The words of a Dockerfile's exec form: {@code "a", "b"}. */
    private static List<String> words(String execForm) {
        List<String> words = new ArrayList<>();
        for (String word : execForm.split(",")) {
            words.add(word.trim().replaceAll("^\"|\"$", ""));
        }
        return words;
    }
}
