package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.LogLines;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ScratchDir;
import org.jfpm.os.Accounts;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;

/**
 * A master started as an unprivileged user (nobody, through setpriv): the pools' user and
 * group are ignored with php-fpm's NOTICE, even names no passwd entry has, and the workers
 * run as that user.
 */
class NonRootMasterIT {

    @Test
    void userAndGroupAreIgnoredWithANoticeAndTheWorkersRunAsTheMastersUser() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        // becoming nobody takes root; .ci/run runs as root, so this is not skipped there
        assumeTrue(Accounts.runningAsRoot(), "needs root to start the master as nobody");
        try (ScratchDir dir = ScratchDir.create("nonroot-e2e-")) {
            Files.setPosixFilePermissions(dir.path(), PosixFilePermissions.fromString("rwxrwxrwx"));
            Path script = dir.resolve("uid.php");
            Files.writeString(script, "<?php echo posix_geteuid();");
            Path conf = dir.resolve("php-fpm.conf");
            Files.writeString(conf, """
                    [global]
                    error_log = %1$s/error.log
                    pid = %1$s/master.pid
                    [www]
                    user = no-such-user-jfpm
                    group = no-such-group-jfpm
                    listen = %1$s/www.sock
                    pm = static
                    pm.max_children = 1
                    """.formatted(dir.path()));
            for (Path p : new Path[] {script, conf}) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Process master = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    Jfpm.executable().toString(), "-F", "-O", "-y", conf.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            LogLines log = LogLines.drain(master.getErrorStream(), "nonroot-stderr");
            try {
                assertThat(log.await(".*NOTICE: ready to handle connections$", Duration.ofSeconds(30)))
                        .as(log.text()).isPresent();
                assertThat(log.lines()).as(log.text())
                        .anyMatch(l -> l.endsWith("NOTICE: [pool www] 'user' directive is ignored when FPM is not running as root"))
                        .anyMatch(l -> l.endsWith("NOTICE: [pool www] 'group' directive is ignored when FPM is not running as root"));
                try (FcgiClient client = FcgiClient.connect(dir.resolve("www.sock"))) {
                    FcgiClient.Response r = client.request(Map.of("REQUEST_METHOD", "GET", "SCRIPT_FILENAME",
                            script.toString(), "SCRIPT_NAME", "/uid.php"), new byte[0]);
                    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("65534");
                }
            } finally {
                Pids.stopWithFamily(master, "TERM", Duration.ofSeconds(10));
                Files.deleteIfExists(Path.of("/tmp/.java_pid" + master.pid()));
            }
        }
    }
}
