package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.ScratchDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jfpm ping}: a pool's ping path asked through its own socket, for health checks. */
class PingCommandIT {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(30);

    @BeforeEach
    void jfpmOnly() {
        assumeFalse(Jfpm.isReference(), "php-fpm has no ping command");
    }

    @Test
    void everyPoolWithAPingPathAnswersOnUnixAndTcp() {
        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(1).line("ping.path = /ping").render(dir) + """
                [tcp]
                listen = 127.0.0.1:0
                pm = static
                pm.max_children = 1
                ping.path = /health
                ping.response = ok
                """.replace("127.0.0.1:0", "127.0.0.1:" + freePort()))) {
            Jfpm.Run all = Jfpm.run(RUN_TIMEOUT, "ping", "-y", jfpm.confFile().toString());
            assertThat(all.exitCode()).as(all.toString()).isZero();
            assertThat(all.stdout()).contains("[pool www] /ping answered \"pong\"", "[pool tcp] /health answered \"ok\"");

            Jfpm.Run one = Jfpm.run(RUN_TIMEOUT, "ping", "-y", jfpm.confFile().toString(), "tcp");
            assertThat(one.exitCode()).as(one.toString()).isZero();
            assertThat(one.stdout()).doesNotContain("[pool www]");
        }
    }

    @Test
    void aPoolThatIsNotServingFailsWithItsReason() throws Exception {
        try (ScratchDir dir = ScratchDir.create("ping-e2e-")) {
            Path conf = dir.resolve("php-fpm.conf");
            Path silent = dir.resolve("silent.sock");
            Files.writeString(conf, """
                    [global]
                    error_log = %1$s/error.log
                    [gone]
                    listen = %1$s/gone.sock
                    pm = static
                    pm.max_children = 1
                    ping.path = /ping
                    [silent]
                    listen = %2$s
                    pm = static
                    pm.max_children = 1
                    ping.path = /ping
                    [quiet]
                    listen = %1$s/quiet.sock
                    pm = static
                    pm.max_children = 1
                    """.formatted(dir.path(), silent));
            // accepts and never answers: the ping must give up after --timeout
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(silent));
                Jfpm.Run run = Jfpm.run(RUN_TIMEOUT, "ping", "-y", conf.toString(), "--timeout", "0.5");
                assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
                assertThat(run.stderr()).contains("jfpm ping: [pool gone] cannot ask " + dir.resolve("gone.sock"),
                        "jfpm ping: [pool silent] /ping at " + silent + ": no answer within 500 ms");
                assertThat(run.stderr()).as("a pool without ping.path is not asked").doesNotContain("[pool quiet]");

                Jfpm.Run named = Jfpm.run(RUN_TIMEOUT, "ping", "-y", conf.toString(), "quiet");
                assertThat(named.exitCode()).isEqualTo(1);
                assertThat(named.stderr()).contains("jfpm ping: [pool quiet] sets no ping.path");
            }
        }
    }

    @Test
    void anAddressIsAskedWithoutAConfigurationAsALoadBalancerWould() {
        int port = freePort();
        int status = freePort();
        try (Jfpm jfpm = Jfpm.start(dir -> Jfpm.pool().maxChildren(1).line("ping.path = /ping").render(dir) + """
                [tcp]
                listen = 127.0.0.1:%d
                pm = static
                pm.max_children = 1
                ping.path = /health
                ping.response = ok
                pm.status_path = /status
                pm.status_listen = 127.0.0.1:%d
                """.formatted(port, status))) {
            Jfpm.Run statusListen = Jfpm.run(RUN_TIMEOUT, "ping", "--path", "/health", "--response", "ok",
                    "127.0.0.1:" + status);
            assertThat(statusListen.exitCode()).as(statusListen.toString()).isZero();
            assertThat(statusListen.stdout().strip()).isEqualTo("127.0.0.1:" + status + " /health answered \"ok\"");

            Jfpm.Run withPath = Jfpm.run(RUN_TIMEOUT, "ping", "--response", "ok", "127.0.0.1:" + port + "/health",
                    jfpm.listenSocket().toString());
            assertThat(withPath.exitCode()).as("the unix pool answers /ping, not ok: " + withPath).isEqualTo(1);
            assertThat(withPath.stdout()).contains("127.0.0.1:" + port + " /health answered \"ok\"");
            assertThat(withPath.stderr()).contains("jfpm ping: " + jfpm.listenSocket() + " /ping answered \"pong\", not \"ok\"");

            Jfpm.Run unix = Jfpm.run(RUN_TIMEOUT, "ping", jfpm.listenSocket().toString());
            assertThat(unix.exitCode()).as(unix.toString()).isZero();

            int nobody = freePort();
            Jfpm.Run refused = Jfpm.run(RUN_TIMEOUT, "ping", "127.0.0.1:" + nobody);
            assertThat(refused.exitCode()).isEqualTo(1);
            assertThat(refused.stderr()).contains("jfpm ping: 127.0.0.1:" + nobody + " cannot ask 127.0.0.1:" + nobody);

            Jfpm.Run mixed = Jfpm.run(RUN_TIMEOUT, "ping", "-y", jfpm.confFile().toString(), "127.0.0.1:" + port);
            assertThat(mixed.exitCode()).as(mixed.toString()).isEqualTo(64);
            Jfpm.Run bad = Jfpm.run(RUN_TIMEOUT, "ping", "127.0.0.1:99999");
            assertThat(bad.exitCode()).isEqualTo(64);
            assertThat(bad.stderr()).contains("'127.0.0.1:99999' is not an address");
        }
    }

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
