package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Listening;
import org.jfpm.e2e.support.LogLines;
import org.jfpm.e2e.support.NotifySocket;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.e2e.support.WebServer;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package on this machine, the way an admin switches: packaging/build-deb.sh
 * builds it, dpkg installs it beside php8.2-fpm, the unit passes {@code systemd-analyze
 * verify}, jfpm runs with the unit's own command line on Debian's stock php8.2-fpm config
 * with a {@code $NOTIFY_SOCKET} the test owns, serves a page on the stock socket
 * (/run/php/php8.2-fpm.sock, as the stock pool's user), reopens its log the way the
 * logrotate rule asks, stops on SIGTERM, and {@code dpkg -r} removes it, leaving /etc/php
 * byte for byte as it was.
 *
 * <p>Needs root, dpkg, and php8.2-fpm installed but not running; skips otherwise. Whatever
 * it installed or started it removes or stops, also when it fails.
 */
class DebianPackageIT {

    private static final Path STOCK_CONF = Path.of("/etc/php/8.2/fpm/php-fpm.conf");
    private static final Path STOCK_SOCKET = Path.of("/run/php/php8.2-fpm.sock");
    private static final Path STOCK_PID = Path.of("/run/php/php8.2-fpm.pid");
    private static final Path STOCK_LOG = Path.of("/var/log/php8.2-fpm.log");
    private static final Path UNIT = Path.of("/lib/systemd/system/jfpm.service");
    private static final Path AOT_CACHE = Path.of("/var/cache/jfpm/jfpm.aot");

    record Run(int exit, String out) {}

    private static Run run(Duration timeout, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            LogLines out = LogLines.drain(p.getInputStream(), "run-" + Path.of(command[0]).getFileName());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError(List.of(command) + " did not end within " + timeout + ":\n" + out.text());
            }
            out.awaitEnd(Duration.ofSeconds(5));
            return new Run(p.exitValue(), out.text());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + List.of(command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Run ok(Duration timeout, String... command) {
        Run r = run(timeout, command);
        assertThat(r.exit()).as(String.join(" ", command) + " said:\n" + r.out()).isZero();
        return r;
    }

    /** Every path under /etc/php with its type, mode, owner and content digest, one line each. */
    private static String fingerprint(Path top) {
        try (Stream<Path> all = Files.walk(top)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder out = new StringBuilder();
            for (Path p : all.sorted().toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                out.append(p).append(' ').append(PosixFilePermissions.toString(a.permissions())).append(' ')
                        .append(a.owner().getName()).append(':').append(a.group().getName()).append(' ');
                if (a.isSymbolicLink()) {
                    out.append("-> ").append(Files.readSymbolicLink(p));
                } else if (a.isRegularFile()) {
                    out.append(HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                }
                out.append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The words of the unit's {@code KEY=} line, without systemd's leading '-' (ignore failure). */
    private static List<String> unitCommand(String unit, String key) {
        String line = unit.lines().filter(l -> l.startsWith(key + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + key + "= in " + UNIT + ":\n" + unit));
        String value = line.substring(key.length() + 1).replaceFirst("^-", "");
        return Arrays.asList(value.trim().split("\\s+"));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void installRunLikeTheUnitAndRemoveBesidePhpFpm() throws Exception {
        assumeFalse(Jfpm.isReference(), "packages jfpm, not the reference");
        assumeTrue("root".equals(System.getProperty("user.name")), "dpkg -i needs root");
        assumeTrue(WebServer.installed("dpkg-deb") && WebServer.installed("dpkg"), "dpkg and dpkg-deb are not installed");
        assumeTrue(Files.isRegularFile(STOCK_CONF), STOCK_CONF + " does not exist (apt-get install php8.2-fpm)");
        assumeFalse(Listening.accepts(STOCK_SOCKET), STOCK_SOCKET + " is being served (php8.2-fpm running?); this test"
                + " does not stop what it did not start");
        assumeFalse(Files.exists(STOCK_PID), STOCK_PID + " exists (php8.2-fpm running?); this test"
                + " does not stop what it did not start");
        assumeFalse(run(Duration.ofSeconds(30), "dpkg-query", "-W", "-f=${Status}", "jfpm").out().contains("installed"),
                "a jfpm package is already installed here; this test does not replace it");

        String etcPhpBefore = fingerprint(Path.of("/etc/php"));
        boolean alternativeBefore = run(Duration.ofSeconds(30), "update-alternatives", "--query", "php-fpm.sock").exit() == 0;
        boolean installed = false;
        boolean alternativeAdded = false;
        Process master = null;
        List<ProcessHandle> family = new ArrayList<>();
        try (ScratchDir dir = ScratchDir.create("deb-e2e-")) {
            // build
            Run build = ok(Duration.ofMinutes(2), ProjectFiles.root().resolve("packaging/build-deb.sh").toString());
            Path deb = Path.of(build.out().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertThat(deb.getFileName().toString()).matches("jfpm_[0-9][^_]*_all\\.deb");
            assertThat(deb.getParent()).isEqualTo(ProjectFiles.root().resolve("target"));
            String control = ok(Duration.ofSeconds(30), "dpkg-deb", "-f", deb.toString()).out();
            assertThat(control).contains("Package: jfpm\n", "Architecture: all\n", "Depends: php8.2-cgi | php-cgi")
                    .doesNotContain("Conflicts:", "Breaks:", "Replaces:");
            String contents = ok(Duration.ofSeconds(30), "dpkg-deb", "-c", deb.toString()).out();
            assertThat(contents).doesNotContain("./etc/php").contains("./usr/sbin/jfpm", "./usr/share/jfpm/jfpm.jar",
                    "./usr/share/jfpm/lib/", "./lib/systemd/system/jfpm.service", "./etc/logrotate.d/jfpm",
                    "./usr/lib/tmpfiles.d/jfpm.conf", "./usr/lib/jfpm/jfpm-aot");
            assertThat(ok(Duration.ofSeconds(30), "dpkg-deb", "-I", deb.toString(), "triggers").out())
                    .as("a JDK changing under /usr/lib/jvm retrains the AOT cache").contains("interest-noawait /usr/lib/jvm");

            // install beside php8.2-fpm
            installed = true;
            ok(Duration.ofMinutes(2), "dpkg", "-i", deb.toString());
            assertThat(Path.of("/run/php")).isDirectory();
            assertThat(Files.size(AOT_CACHE)).as("postinst trained the AOT cache").isGreaterThan(1 << 20);
            String unit = Files.readString(UNIT);
            if (WebServer.installed("systemd-analyze")) {
                Run verify = ok(Duration.ofMinutes(1), "systemd-analyze", "verify", UNIT.toString());
                assertThat(verify.out()).as("systemd-analyze verify").doesNotContain("jfpm.service:");
            }
            assertThat(unit).contains("\nType=notify\n", "\nExecReload=/bin/kill -USR2 $MAINPID\n",
                    "\nRuntimeDirectory=jfpm\n");
            List<String> execStart = unitCommand(unit, "ExecStart");
            assertThat(execStart).containsExactly("/usr/sbin/jfpm", "--nodaemonize", "--fpm-config", STOCK_CONF.toString());
            assertThat(ok(Duration.ofSeconds(60), "/usr/sbin/jfpm", "-t").out())
                    .contains("configuration file " + STOCK_CONF + " test is successful");

            // start as systemd would: the unit's command line, / as cwd, stdin /dev/null, $NOTIFY_SOCKET
            try (NotifySocket notify = NotifySocket.bind(dir.resolve("notify"))) {
                ProcessBuilder pb = new ProcessBuilder(execStart).directory(new java.io.File("/"))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().put("NOTIFY_SOCKET", notify.path().toString());
                Path runtimeDirectory = Files.createDirectory(dir.resolve("run-jfpm")); // RuntimeDirectory=, made by systemd
                pb.environment().put("RUNTIME_DIRECTORY", runtimeDirectory.toString());
                master = pb.start();
                LogLines out = LogLines.drain(master.getInputStream(), "unit-stdout");
                LogLines err = LogLines.drain(master.getErrorStream(), "unit-stderr");
                String ready = notify.await("READY=1", Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError(
                        "no READY=1 on $NOTIFY_SOCKET within 60 s\n" + err.text() + out.text()));
                assertThat(ready).contains("MAINPID=" + master.pid());
                try (Stream<Path> made = Files.list(runtimeDirectory)) {
                    assertThat(made.map(p -> p.getFileName().toString())).as("the workers' runtime dir")
                            .singleElement().asString().startsWith("jfpm-" + master.pid() + "-");
                }
                family.addAll(master.descendants().toList());
                assertThat(Files.readString(Path.of("/proc", Long.toString(master.pid()), "maps")))
                        .as("the master maps the AOT cache").contains(AOT_CACHE.toString());

                // a page on the stock socket, run by the stock pool's user
                Path page = dir.write("page.php", "<?php echo 'served by ', posix_getpwuid(posix_geteuid())['name'], \"\\n\";");
                FcgiClient.Response r;
                try (FcgiClient client = FcgiClient.connect(STOCK_SOCKET)) {
                    r = client.request(Map.of("SCRIPT_FILENAME", page.toString(), "SCRIPT_NAME", "/page.php",
                            "REQUEST_URI", "/page.php", "REQUEST_METHOD", "GET", "QUERY_STRING", ""), new byte[0]);
                }
                assertThat(r.status()).as(err.text()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("served by www-data\n");
                family.addAll(master.descendants().toList());

                // ExecStartPost: the /run/php/php-fpm.sock alternative, only when none was registered before
                if (!alternativeBefore) {
                    alternativeAdded = true;
                    ok(Duration.ofSeconds(30), unitCommand(unit, "ExecStartPost").toArray(String[]::new));
                    assertThat(Files.readSymbolicLink(Path.of("/run/php/php-fpm.sock")))
                            .isEqualTo(Path.of("/etc/alternatives/php-fpm.sock"));
                    assertThat(Path.of("/run/php/php-fpm.sock").toRealPath()).isEqualTo(STOCK_SOCKET);
                }

                // logrotate's postrotate: USR1 to the pid-file pid reopens the log
                long reopenedBefore = Files.readAllLines(STOCK_LOG).stream().filter(l -> l.contains("NOTICE: error log file re-opened")).count();
                ok(Duration.ofSeconds(30), "/usr/lib/jfpm/jfpm-reopenlogs");
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                long reopened = reopenedBefore;
                while (reopened == reopenedBefore && System.nanoTime() < deadline) {
                    Pids.sleep(Duration.ofMillis(100));
                    reopened = Files.readAllLines(STOCK_LOG).stream().filter(l -> l.contains("NOTICE: error log file re-opened")).count();
                }
                assertThat(reopened).as("a re-opened line in " + STOCK_LOG).isGreaterThan(reopenedBefore);
                if (WebServer.installed("/usr/sbin/logrotate") && Files.exists(Path.of("/etc/logrotate.d/php8.2-fpm"))) {
                    // both rules for the same file: jfpm's sorts first and says ignoreduplicates
                    Run lr = run(Duration.ofSeconds(30), "/usr/sbin/logrotate", "-d", "-s", dir.resolve("lr.state").toString(),
                            "/etc/logrotate.d/jfpm", "/etc/logrotate.d/php8.2-fpm");
                    assertThat(lr.out()).as("logrotate -d").doesNotContain("error:");
                    assertThat(lr.exit()).as(lr.out()).isZero();
                }

                // systemctl stop: SIGTERM
                Pids.signal(master.pid(), "TERM");
                assertThat(master.waitFor(30, TimeUnit.SECONDS)).as("exit after SIGTERM\n" + err.text()).isTrue();
                assertThat(master.exitValue()).as(err.text()).isZero();
                assertThat(STOCK_SOCKET).doesNotExist();
                assertThat(STOCK_PID).doesNotExist();
                assertThat(Pids.awaitGone(family.stream().map(ProcessHandle::pid).toList(), Duration.ofSeconds(5)))
                        .as("workers outliving the master").isEmpty();
            }

            // dpkg -r: gone, except the logrotate conffile until purge; /etc/php as it was
            ok(Duration.ofMinutes(2), "dpkg", "-r", "jfpm");
            assertThat(Path.of("/usr/sbin/jfpm")).doesNotExist();
            assertThat(Path.of("/usr/share/jfpm")).doesNotExist();
            assertThat(UNIT).doesNotExist();
            assertThat(AOT_CACHE.getParent()).doesNotExist();
            assertThat(fingerprint(Path.of("/etc/php"))).isEqualTo(etcPhpBefore);
            ok(Duration.ofMinutes(2), "dpkg", "-P", "jfpm");
            installed = false;
            assertThat(Path.of("/etc/logrotate.d/jfpm")).doesNotExist();
            assertThat(fingerprint(Path.of("/etc/php"))).isEqualTo(etcPhpBefore);
        } finally {
            if (master != null) {
                family.addAll(master.descendants().toList());
                if (master.isAlive()) {
                    master.destroyForcibly();
                    master.waitFor(5, TimeUnit.SECONDS);
                }
                family.stream().filter(p -> Pids.isRunning(p.pid())).forEach(ProcessHandle::destroyForcibly);
            }
            if (alternativeAdded) {
                run(Duration.ofSeconds(30), "update-alternatives", "--quiet", "--remove", "php-fpm.sock", STOCK_SOCKET.toString());
            }
            if (installed) {
                run(Duration.ofMinutes(2), "dpkg", "-P", "jfpm");
            }
        }
    }
}
