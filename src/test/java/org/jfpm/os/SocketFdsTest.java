package org.jfpm.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SocketFdsTest {

    @Test
    void ipv6AddressesAreWrittenAsInetNtopWritesThem() {
        assertThat(SocketFds.compressed("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(SocketFds.compressed("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(SocketFds.compressed("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(SocketFds.compressed("fe80:0:0:0:1:2:3:4%lo")).isEqualTo("fe80::1:2:3:4");
        assertThat(SocketFds.compressed("1:0:2:0:3:0:4:0")).isEqualTo("1:0:2:0:3:0:4:0");
        assertThat(SocketFds.text(new InetSocketAddress("::", 9000))).isEqualTo(":::9000");
        assertThat(SocketFds.text(new InetSocketAddress("127.0.0.1", 9000))).isEqualTo("127.0.0.1:9000");
    }

    @Test
    void theDescriptorOfAListeningSocketIsFound() throws Exception {
        Path dir = Files.createTempDirectory("jfpm-fds");
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel tcp = ServerSocketChannel.open()) {
            unix.bind(UnixDomainSocketAddress.of(path));
            tcp.bind(new InetSocketAddress("127.0.0.1", 0));
            int unixFd = SocketFds.listening(unix.getLocalAddress()).orElseThrow();
            int tcpFd = SocketFds.listening(tcp.getLocalAddress()).orElseThrow();
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + unixFd)).toString()).startsWith("socket:[");
            assertThat(tcpFd).isNotEqualTo(unixFd).isGreaterThan(2);
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }
}
