package org.jfpm.e2e.support;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A unix datagram socket standing in for systemd's {@code $NOTIFY_SOCKET}: what a
 * {@code Type=notify} service sends to systemd (READY=1, STATUS=...) arrives here. Java's
 * own channels have no unix datagram sockets, so this uses libc through FFM.
 */
public final class NotifySocket implements AutoCloseable {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MethodHandle SOCKET = handle("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = handle("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = handle("recv",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Path path;
    private final int fd;
    private final List<String> messages = new ArrayList<>();

    private NotifySocket(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor);
    }

    /** Binds a datagram socket at {@code path} (at most 107 bytes). */
    public static NotifySocket bind(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > 107) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
            }
            MemorySegment addr = arena.allocate(110); // struct sockaddr_un, zeroed
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) BIND.invokeExact(fd, addr, 2 + name.length + 1) != 0) {
                int ignored = (int) CLOSE.invokeExact(fd);
                throw new IllegalStateException("bind(" + path + ") failed");
            }
            return new NotifySocket(path, fd);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public Path path() {
        return path;
    }

    /** Every message received so far, oldest first. */
    public synchronized List<String> messages() {
        drain();
        return List.copyOf(messages);
    }

    /** Waits for a message containing {@code text} (a line such as {@code READY=1}). */
    public synchronized Optional<String> await(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (true) {
            drain();
            for (; seen < messages.size(); seen++) {
                if (messages.get(seen).lines().anyMatch(text::equals)) {
                    return Optional.of(messages.get(seen));
                }
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            Pids.sleep(Duration.ofMillis(50));
        }
    }

    private void drain() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096);
            while (true) {
                long n = (long) RECV.invokeExact(fd, buf, 4096L, MSG_DONTWAIT);
                if (n < 0) {
                    return; // EAGAIN: nothing more now
                }
                messages.add(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public synchronized void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
            Files.deleteIfExists(path);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
