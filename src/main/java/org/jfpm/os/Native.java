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
    private static final java.lang.foreign.StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;

    private static final MethodHandle SIGNALFD = function("signalfd", FunctionDescriptor.of(INT, INT, ADDR, INT));
    private static final MethodHandle READ = function("read", FunctionDescriptor.of(LONG, INT, ADDR, LONG));
    private static final MethodHandle KILL = function("kill", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ISATTY = function("isatty", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle DUP2 = function("dup2", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle OPEN = LINKER.downcallHandle(LIBC.find("open").orElseThrow(),
            FunctionDescriptor.of(INT, ADDR, INT, INT), ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETUID = LINKER.downcallHandle(LIBC.find("getuid").orElseThrow(),
            FunctionDescriptor.of(INT));
    private static final MethodHandle GETGID = LINKER.downcallHandle(LIBC.find("getgid").orElseThrow(),
            FunctionDescriptor.of(INT));

    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_APPEND = 02000;
    public static final int O_CLOEXEC = 02000000;
    public static final int SFD_CLOEXEC = O_CLOEXEC;

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
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
            int fd = (int) SIGNALFD.invokeExact(state, -1, mask, SFD_CLOEXEC);
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
                long n = (long) READ.invokeExact(state, signalFd, info, 128L);
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
            int rc = (int) KILL.invokeExact(state, (int) pid, signal);
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
            return (int) ISATTY.invokeExact(arena.allocate(CALL_STATE), fd) == 1;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Points {@code target} (0, 1 or 2) at {@code path}, as php-fpm does with its stdio. */
    public static void redirect(int target, String path, int flags) throws NativeException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, 0600);
            check("open(" + path + ")", fd, state);
            int rc = (int) DUP2.invokeExact(state, fd, target);
            int errno = (int) ERRNO_HANDLE.get(state, 0L);
            int ignored = (int) CLOSE.invokeExact(state, fd);
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
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static int getgid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int check(String call, int rc, MemorySegment state) throws NativeException {
        if (rc < 0) {
            throw new NativeException(call, (int) ERRNO_HANDLE.get(state, 0L));
        }
        return rc;
    }
}
