package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who the workers are and what they may do: user and group, rlimits, priority, chdir and
 * chroot, read back from /proc and from PHP itself. Switching users, raising limits, a
 * negative nice and chroot need a root master; as another user these tests are skipped.
 */
class WorkerIdentityIT {

    @BeforeEach
    void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs a root master (user, chroot, nice)");
        assumeTrue(Backends.hasMaster(), "needs a master");
    }

    /** A docroot nobody can read, outside the build tree (which nobody may not traverse). */
    private static Path publicDocroot(ScratchDir dir, String script) throws IOException {
        Path doc = Files.createDirectories(dir.resolve("doc"));
        Files.writeString(doc.resolve("t.php"), script);
        for (Path p = doc; p != null && p.startsWith(dir.path()); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(doc.resolve("t.php"), PosixFilePermissions.fromString("rw-r--r--"));
        return doc.resolve("t.php");
    }

    private static String get(Jfpm jfpm, String scriptFilename) throws IOException {
        try (FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
            FcgiClient.Response r = client.request(Map.of(
                    "SCRIPT_FILENAME", scriptFilename, "REQUEST_METHOD", "GET", "SERVER_PROTOCOL", "HTTP/1.1"),
                    new byte[0]);
            assertThat(r.status()).as(new String(r.stdout()) + r.stderr() + "\n" + jfpm.logText()).isEqualTo(200);
            return new String(r.body()).trim();
        }
    }

    private static List<String> procLines(long pid, String file, String prefix) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), file)).stream()
                .filter(l -> l.startsWith(prefix)).toList();
    }

    @Test
    void poolRunsAsNobody() throws Exception {
        try (ScratchDir dir = ScratchDir.create("identity-e2e-")) {
            Path script = publicDocroot(dir, "<?php echo posix_getuid(), ' ', posix_getgid(), ' ', getenv('USER');");
            try (Jfpm jfpm = Jfpm.pool().maxChildren(2).line("user = nobody").line("group = nogroup").start()) {
                List<Long> workers = jfpm.awaitWorkers(2, Duration.ofSeconds(5));
                assertThat(workers).hasSize(2);
                for (long pid : workers) {
                    assertThat(procLines(pid, "status", "Uid:")).singleElement().asString()
                            .matches("Uid:\\s+65534\\s+65534\\s+65534\\s+65534");
                    assertThat(procLines(pid, "status", "Gid:")).singleElement().asString()
                            .matches("Gid:\\s+65534\\s+65534\\s+65534\\s+65534");
                    assertThat(procLines(pid, "status", "Groups:")).singleElement().asString()
                            .doesNotContain(" 0 ").isNotEqualTo("Groups:\t0");
                }
                assertThat(get(jfpm, script.toString())).isEqualTo("65534 65534 nobody");
            }
        }
    }

    /** rlimit_files, rlimit_core, process.priority and chdir of the pool, as the kernel reports them. */
    @Test
    void limitsPriorityAndChdirInProc() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1)
                .line("rlimit_files = 1234")
                .line("rlimit_core = unlimited")
                .line("process.priority = 7")
                .line("chdir = /tmp")
                .start()) {
            long pid = jfpm.awaitWorkers(1, Duration.ofSeconds(5)).getFirst();
            assertThat(procLines(pid, "limits", "Max open files")).singleElement().asString()
                    .matches("Max open files\\s+1234\\s+1234\\s+files\\s*");
            assertThat(procLines(pid, "limits", "Max core file size")).singleElement().asString()
                    .matches("Max core file size\\s+unlimited\\s+unlimited\\s+bytes\\s*");
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            int masterNice = Integer.parseInt(Files.readString(Path.of("/proc", Long.toString(jfpm.pid()), "stat"))
                    .replaceAll("^.*\\) ", "").split(" ")[16]);
            assertThat(Integer.parseInt(fields[16])).as("nice of the worker (the master's is %d)", masterNice)
                    .isEqualTo(7);
            assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd"))).isEqualTo(Path.of("/tmp"));
        }
    }

    /** Global rlimit_files applies to workers of a pool that sets none (php-fpm: inherited from the master). */
    @Test
    void globalRlimitFilesIsInherited() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).globalLine("rlimit_files = 2345").start()) {
            long pid = jfpm.awaitWorkers(1, Duration.ofSeconds(5)).getFirst();
            assertThat(procLines(pid, "limits", "Max open files")).singleElement().asString()
                    .matches("Max open files\\s+2345\\s+2345\\s+files\\s*");
        }
    }

    /**
     * A chroot pool serving a script inside a small tree the test builds: php-cgi and setpriv
     * with the libraries ldd lists, nothing else (no php.ini, no extensions). The script sees
     * the chroot as /, and runs as nobody.
     */
    @Test
    void chrootPoolServesAScriptInsideTheTree() throws Exception {
        try (ScratchDir dir = ScratchDir.create("chroot-e2e-")) {
            Path root = Files.createDirectories(dir.resolve("jail"));
            Path php = Path.of("/usr/bin/php-cgi").toRealPath();
            for (Path binary : List.of(php, Path.of("/usr/bin/setpriv"))) {
                copyWithLibraries(binary, root);
            }
            Files.createDirectories(root.resolve("www"));
            Files.writeString(root.resolve("www/t.php"), "<?php echo getmyuid() >= 0 ? 'in' : '', ' ', "
                    + "is_file('/www/t.php') ? 'root=jail' : 'root=host', ' ', is_dir('" + root + "') ? 'host-visible' : 'host-hidden', ' ', getcwd();");
            makeTraversable(dir.path());
            try (Jfpm jfpm = Jfpm.pool().maxChildren(1)
                    .line("user = nobody")
                    .line("chroot = " + root)
                    .start()) {
                List<Long> workers = jfpm.awaitWorkers(1, Duration.ofSeconds(5));
                assertThat(workers).as(jfpm.logText()).hasSize(1);
                long pid = workers.getFirst();
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "root"))).isEqualTo(root);
                assertThat(procLines(pid, "status", "Uid:")).singleElement().asString().contains("65534");
                assertThat(get(jfpm, "/www/t.php")).isEqualTo("in root=jail host-hidden /www");
            }
            assertThat(root.resolve(dir.path().toString().substring(1))).as("socket dirs removed at exit").doesNotExist();
        }
    }

    /** A chroot without php-cgi inside stops the start: pool, step and what the tool said. */
    @Test
    void chrootWithoutPhpCgiIsAClearStartupError() throws Exception {
        try (ScratchDir dir = ScratchDir.create("chroot-e2e-")) {
            Path empty = Files.createDirectories(dir.resolve("empty"));
            Path conf = dir.write("php-fpm.conf", Jfpm.pool().maxChildren(1).line("chroot = " + empty).render(dir.path()));
            Jfpm.Run run = Jfpm.run(Duration.ofSeconds(30), "-F", "-O", "-R", "-y", conf.toString());
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(78);
            assertThat(run.stderr()).as(run.toString()).containsPattern(
                    "ERROR: \\[pool www\\] unable to prepare a worker: step chroot \\(chroot\\) failed with code 127: "
                            + "\"chroot: failed to run command .*setpriv.*No such file or directory\"");
            assertThat(run.stderr()).contains("ERROR: FPM initialization failed");
        }
    }

    private static final Pattern LIB = Pattern.compile("(/\\S+\\.so[^\\s]*)");

    /** The binary and every library ldd names, at the same paths under {@code root}. */
    private static void copyWithLibraries(Path binary, Path root) throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>(List.of(binary));
        Process ldd = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
        String out = new String(ldd.getInputStream().readAllBytes());
        ldd.waitFor();
        Matcher m = LIB.matcher(out);
        while (m.find()) {
            files.add(Path.of(m.group(1)));
        }
        for (Path f : files) {
            Path target = root.resolve(f.toString().substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING); // follows links: the real bytes
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void makeTraversable(Path top) throws IOException {
        try (var paths = Files.walk(top)) {
            for (Path p : paths.toList()) {
                if (Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (!Files.isExecutable(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
