package org.jfpm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Learns at once when a process that is not the master's child exits: a pidfd per
 * process (pidfd_open(2)), all in one epoll set read by one platform thread. A pidfd
 * becomes readable when its process terminates, whoever its parent is; the JDK's
 * {@link ProcessHandle#onExit} can only poll such a process, every 0.3 to 5 seconds.
 *
 * <p>The master uses it for the children php-cgi's parent forks (shared workers):
 * php-cgi reaps them, so their exit status is not known here, only the moment.
 *
 * <p>An entry of the set is named by a token of its own, never by its descriptor's
 * number, and leaves the set by EPOLL_CTL_DEL before its pidfd is closed. Closing alone
 * is not enough: epoll drops an entry only when the last descriptor of its open file
 * goes, and a process the JVM is spawning at that moment holds a copy until its exec
 * (epoll(7), "Will closing a file descriptor cause it to be removed from all epoll
 * interest lists?"). The entry would fire again with a number that by then names a
 * socket, and the reader would close that socket.
 */
public final class PidWatch {
    private PidWatch() {}

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle PIDFD_OPEN =
            Native.function("pidfd_open", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle EPOLL_CREATE1 =
            Native.function("epoll_create1", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EPOLL_CTL =
            Native.function("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS));
    private static final MethodHandle EPOLL_WAIT =
            Native.function("epoll_wait", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT, INT));
    private static final MethodHandle CLOSE = Native.function("close", FunctionDescriptor.of(INT, INT));

    private static final int EPOLL_CLOEXEC = Native.O_CLOEXEC;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 1;
    /** struct epoll_event is packed on x86-64: uint32 events, then the 64-bit data. */
    private static final int EVENT_SIZE = 12;
    private static final int BATCH = 64;

    /** A process being watched: its pidfd, and what completes when it exits. */
    private record Watch(int pidfd, CompletableFuture<Void> exited) {}

    private static final Map<Long, Watch> WATCHED = new ConcurrentHashMap<>();
    private static final AtomicLong TOKENS = new AtomicLong();
    private static int epollFd = -1;

    /** Completes when process {@code pid} has exited (at once if it is already gone). */
    public static CompletableFuture<Void> onExit(long pid) throws Native.NativeException {
        CompletableFuture<Void> exited = new CompletableFuture<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            int fd = (int) PIDFD_OPEN.invokeExact(state, (int) pid, 0);
            if (fd < 0 && (int) Native.ERRNO_HANDLE.get(state, 0L) == Errno.ESRCH) {
                exited.complete(null);
                return exited;
            }
            Native.check("pidfd_open", fd, state);
            long token = TOKENS.incrementAndGet();
            WATCHED.put(token, new Watch(fd, exited));
            MemorySegment event = arena.allocate(EVENT_SIZE);
            event.set(INT, 0, EPOLLIN);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, token);
            int rc = (int) EPOLL_CTL.invokeExact(state, epoll(), EPOLL_CTL_ADD, fd, event);
            if (rc < 0) {
                WATCHED.remove(token);
                int ignored = (int) CLOSE.invokeExact(state, fd);
                Native.check("epoll_ctl", rc, state);
            }
            return exited;
        } catch (Native.NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The epoll set, and its reader thread, made on first use. */
    private static synchronized int epoll() throws Throwable {
        if (epollFd < 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(Native.CALL_STATE);
                epollFd = Native.check("epoll_create1", (int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC), state);
            }
            int fd = epollFd;
            // a platform thread: it blocks in epoll_wait, a native call that would pin a virtual thread's carrier
            Thread.ofPlatform().name("jfpm-pidwatch").daemon(true).start(() -> readExits(fd));
        }
        return epollFd;
    }

    private static void readExits(int epfd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            MemorySegment events = arena.allocate((long) EVENT_SIZE * BATCH);
            while (true) {
                int n = (int) EPOLL_WAIT.invokeExact(state, epfd, events, BATCH, -1);
                for (int i = 0; i < n; i++) {
                    Watch watch = WATCHED.remove(events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + 4));
                    if (watch == null) {
                        continue; // cannot happen: an entry leaves the set before its token is forgotten
                    }
                    int deleted = (int) EPOLL_CTL.invokeExact(state, epfd, EPOLL_CTL_DEL, watch.pidfd(), MemorySegment.NULL);
                    int closed = (int) CLOSE.invokeExact(state, watch.pidfd());
                    // what waits for the exit runs elsewhere: this thread only reads the set
                    Thread.ofVirtual().name("exited").start(() -> watch.exited().complete(null));
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException("watching processes' exits failed", t);
        }
    }
}
