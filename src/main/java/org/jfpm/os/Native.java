package org.jfpm.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the JVM does not offer, through the Foreign Function &amp;
 * Memory API: signalfd for php-fpm's signals, kill with any signal (SIGQUIT
 * for graceful stops), isatty/dup2/open for php-fpm's stderr rules, getuid.
 * Each returns libc's result; failures carry errno in {@link NativeException}.
 */
public final class Native {
    private Native() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final java.lang.foreign.StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO_HANDLE =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;

    // Each group of calls is linked when first used (a holder class's initialization): linking
    // makes the JDK generate code, and a master that never sends a datagram or writes to syslog
    // should not pay for those on its way to the first request.
    private static final class Signalfd {
        static final MethodHandle SIGNALFD = function("signalfd", FunctionDescriptor.of(INT, INT, ADDR, INT));
        static final MethodHandle READ = function("read", FunctionDescriptor.of(LONG, INT, ADDR, LONG));
    }

    private static final class Kill {
        static final MethodHandle KILL = function("kill", FunctionDescriptor.of(INT, INT, INT));
    }

    private static final class Tty {
        static final MethodHandle ISATTY = function("isatty", FunctionDescriptor.of(INT, INT));
    }

    private static final class Fd {
        static final MethodHandle DUP2 = function("dup2", FunctionDescriptor.of(INT, INT, INT));
        static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(INT, INT));
        static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
                FunctionDescriptor.of(INT, ADDR, INT, INT), ERRNO, Linker.Option.firstVariadicArg(2));
    }

    private static final class Limits {
        static final MethodHandle SETRLIMIT = function("setrlimit", FunctionDescriptor.of(INT, INT, ADDR));
        static final MethodHandle SETPRIORITY = function("setpriority", FunctionDescriptor.of(INT, INT, INT, INT));
    }

    private static final class Datagram {
        static final MethodHandle SOCKET = function("socket", FunctionDescriptor.of(INT, INT, INT, INT));
        static final MethodHandle SENDTO = function("sendto",
                FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, INT));
    }

    private static final class Syslog {
        static final MethodHandle OPENLOG = LINKER.downcallHandle(LIBC.find("openlog").orElseThrow(),
                FunctionDescriptor.ofVoid(ADDR, INT, INT));
        static final MethodHandle SYSLOG = LINKER.downcallHandle(LIBC.find("syslog").orElseThrow(),
                FunctionDescriptor.ofVoid(INT, ADDR, ADDR), Linker.Option.firstVariadicArg(2));
    }

    private static final class Ids {
        static final MethodHandle GETUID = LINKER.downcallHandle(LIBC.find("getuid").orElseThrow(),
                FunctionDescriptor.of(INT));
        static final MethodHandle GETGID = LINKER.downcallHandle(LIBC.find("getgid").orElseThrow(),
                FunctionDescriptor.of(INT));
    }

    private static final class Exit {
        static final MethodHandle EXIT = LINKER.downcallHandle(LIBC.find("_exit").orElseThrow(),
                FunctionDescriptor.ofVoid(INT));
    }

    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    public static final int SFD_CLOEXEC = O_CLOEXEC;

    /**
     * Links the calls a stop needs, {@link #exitNow} (every command ends with it) and
     * {@link #kill}, so that a thread can do it ahead of time.
     */
    public static void link() {
        Exit.EXIT.type(); // initializes the holders
        Kill.KILL.type();
    }

    static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, ERRNO);
    }

    /** Thrown when a call fails; the message is php-fpm's "{@code strerror (errno)}" tail. */
    public static final class NativeException extends Exception {
        private final int errno;

        NativeException(String call, int errno) {
            super(call + ": " + Errno.describe(errno));
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** Opens a signalfd that reads the given signals; they must already be blocked in every thread. */
    public static int signalfd(int... signals) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128); // sizeof(sigset_t) in glibc
            for (int sig : signals) {
                int bit = sig - 1;
                long word = mask.get(LONG, (bit / 64) * 8L);
                mask.set(LONG, (bit / 64) * 8L, word | (1L << (bit % 64)));
            }
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Signalfd.SIGNALFD.invokeExact(state, -1, mask, SFD_CLOEXEC);
            return check("signalfd", fd, state);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Blocks until a signal arrives on the signalfd and returns its number. */
    public static int readSignal(int signalFd) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(128); // struct signalfd_siginfo
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long n = (long) Signalfd.READ.invokeExact(state, signalFd, info, 128L);
                if (n == 128) {
                    return info.get(INT, 0); // ssi_signo
                }
                int errno = (int) ERRNO_HANDLE.get(state, 0L);
                if (n < 0 && errno != Errno.EINTR) {
                    throw new NativeException("read(signalfd)", errno);
                }
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** kill(2). Returns false when the process no longer exists (ESRCH). */
    public static boolean kill(long pid, int signal) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) Kill.KILL.invokeExact(state, (int) pid, signal);
            if (rc != 0 && (int) ERRNO_HANDLE.get(state, 0L) == Errno.ESRCH) {
                return false;
            }
            check("kill", rc, state);
            return true;
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static boolean isatty(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Tty.ISATTY.invokeExact(arena.allocate(CALL_STATE), fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Points {@code target} (0, 1 or 2) at {@code path}, as php-fpm does with its stdio. */
    public static void redirect(int target, String path, int flags) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) Fd.OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, 0600);
            check("open(" + path + ")", fd, state);
            int rc = (int) Fd.DUP2.invokeExact(state, fd, target);
            int errno = (int) ERRNO_HANDLE.get(state, 0L);
            int ignored = (int) Fd.CLOSE.invokeExact(state, fd);
            if (rc < 0) {
                throw new NativeException("dup2", errno);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int getuid() {
        try {
            return (int) Ids.GETUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int getgid() {
        try {
            return (int) Ids.GETGID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static final int RLIMIT_CORE = 4;
    public static final int RLIMIT_NOFILE = 7;
    /** RLIM_INFINITY on Linux. */
    public static final long RLIM_INFINITY = -1L;

    /** setrlimit(2) with the soft and hard limit both set to {@code value}. */
    public static void setrlimit(int resource, long value) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16);
            limit.set(LONG, 0, value);
            limit.set(LONG, 8, value);
            MemorySegment state = arena.allocate(CALL_STATE);
            check("setrlimit", (int) Limits.SETRLIMIT.invokeExact(state, resource, limit), state);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** setpriority(PRIO_PROCESS, 0, nice) for this process. */
    public static void setpriority(int nice) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check("setpriority", (int) Limits.SETPRIORITY.invokeExact(state, 0, 0, nice), state);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Sends one datagram to a unix socket path; a leading {@code @} names an
     * abstract socket (systemd's NOTIFY_SOCKET convention).
     */
    public static void sendDatagram(String path, byte[] message) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = check("socket", (int) Datagram.SOCKET.invokeExact(state, 1 /* AF_UNIX */,
                    2 /* SOCK_DGRAM */ | O_CLOEXEC, 0), state);
            try {
                byte[] name = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (name.length > 107) {
                    throw new NativeException("sendto(" + path + ")", 36 /* ENAMETOOLONG */);
                }
                MemorySegment addr = arena.allocate(110); // struct sockaddr_un
                addr.set(ValueLayout.JAVA_SHORT, 0, (short) 1);
                MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
                if (name.length > 0 && name[0] == '@') {
                    addr.set(ValueLayout.JAVA_BYTE, 2, (byte) 0);
                }
                int addrLen = 2 + name.length + (name.length > 0 && name[0] == '@' ? 0 : 1);
                MemorySegment msg = arena.allocate(Math.max(1, message.length));
                MemorySegment.copy(message, 0, msg, ValueLayout.JAVA_BYTE, 0, message.length);
                long n = (long) Datagram.SENDTO.invokeExact(state, fd, msg, (long) message.length,
                        0x4000 /* MSG_NOSIGNAL */, addr, addrLen);
                if (n < 0) {
                    throw new NativeException("sendto(" + path + ")", (int) ERRNO_HANDLE.get(state, 0L));
                }
            } finally {
                int ignored = (int) Fd.CLOSE.invokeExact(state, fd);
            }
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** openlog(3) with LOG_PID | LOG_CONS, as php-fpm's zlog does. The ident must stay valid: it is kept. */
    public static void openlog(String ident, int facility) {
        try {
            MemorySegment id = Arena.global().allocateFrom(ident);
            Syslog.OPENLOG.invokeExact(id, 0x01 | 0x02, facility);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** syslog(3) of one message, passed through {@code "%s"}. */
    public static void syslog(int priority, String message) {
        try (Arena arena = Arena.ofConfined()) {
            Syslog.SYSLOG.invokeExact(priority, arena.allocateFrom("%s"), arena.allocateFrom(message));
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static int check(String call, int rc, MemorySegment state) throws NativeException {
        if (rc < 0) {
            throw new NativeException(call, (int) ERRNO_HANDLE.get(state, 0L));
        }
        return rc;
    }

    /**
     * Ends the process at once with {@code status} (_exit(2)): no JVM shutdown sequence.
     * The caller has flushed and closed what it owns.
     */
    public static void exitNow(int status) {
        try {
            Exit.EXIT.invokeExact(status);
        } catch (Throwable e) {
            throw new IllegalStateException("_exit failed", e);
        }
    }
}
