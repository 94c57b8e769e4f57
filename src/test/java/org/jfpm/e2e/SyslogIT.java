package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.NotifySocket;
import org.junit.jupiter.api.Test;

/**
 * {@code error_log = syslog}: lines reach the local syslog socket as syslog(3) sends
 * them, {@code <PRI>... ident[pid]: [LEVEL] message}. The test owns /dev/log for the
 * time it runs, so it needs root and a machine without a syslog daemon.
 */
class SyslogIT {
    private static final Path DEV_LOG = Path.of("/dev/log");

    @Test
    void linesGoToSyslogWithIdentFacilityAndPhpFpmsPriorityQuirk() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm8.2 logs the same way, but its daemon lines are not the subject");
        assumeTrue("root".equals(System.getProperty("user.name")), "binding /dev/log needs root");
        assumeFalse(Files.exists(DEV_LOG, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "a syslog daemon owns /dev/log here: not touching it");
        try (NotifySocket syslog = NotifySocket.bind(DEV_LOG)) {
            try (Jfpm jfpm = Jfpm.startWithoutForcedStderr(dir -> Jfpm.pool().maxChildren(1)
                    .globalLine("syslog.ident = jfpm-test")
                    .globalLine("syslog.facility = local3")
                    .render(dir).replace("error_log = " + dir + "/jfpm.log", "error_log = syslog"))) {
                // LOG_LOCAL3 (19 << 3 = 152) + LOG_NOTICE (5) = 157: every line carries the configured
                // log_level's priority, whatever its own level (php-fpm's zlog quirk)
                String line = awaitContaining(syslog, "[NOTICE] ready to handle connections");
                assertThat(line).startsWith("<157>").contains("jfpm-test[" + jfpm.pid() + "]: ");
                assertThat(syslog.messages()).anyMatch(m -> m.contains("[NOTICE] fpm is running, pid " + jfpm.pid()));
            }
        } finally {
            Files.deleteIfExists(DEV_LOG);
        }
    }

    private static String awaitContaining(NotifySocket socket, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (String m : socket.messages()) {
                if (m.contains(text)) {
                    return m;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no syslog message containing " + text + "; got " + socket.messages());
    }
}
