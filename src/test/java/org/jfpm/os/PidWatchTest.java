package org.jfpm.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PidWatchTest {

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle DUP = Native.function("dup", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle DUP2 = Native.function("dup2", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle CLOSE = Native.function("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle EVENTFD = Native.function("eventfd", FunctionDescriptor.of(INT, INT, INT));

    @Test
    void anExitIsSeenForAProcessAndForOneAlreadyGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            var exited = PidWatch.onExit(sleeper.pid());
            assertThat(exited).isNotDone();
            sleeper.destroyForcibly();
            exited.get(30, TimeUnit.SECONDS);
        } finally {
            sleeper.destroyForcibly();
        }
        sleeper.waitFor();
        assertThat(PidWatch.onExit(sleeper.pid())).isDone();
    }

    /**
     * A process spawned while a pidfd is open holds a copy of it until its exec. If the
     * watched process exits then, closing the pidfd leaves its epoll entry in place, and
     * the entry fires again under the pidfd's old number, which by then may name a socket.
     */
    @Test
    void aPidfdStillHeldElsewhereWhenItsProcessExitsClosesNothingElse() throws Throwable {
        Process first = new ProcessBuilder("sleep", "60").start();
        Process second = new ProcessBuilder("sleep", "60").start();
        int copy = -1;
        int other = -1;
        int number = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(Native.CALL_STATE);
            var firstExited = PidWatch.onExit(first.pid());
            number = pidfdOf(first.pid());
            copy = (int) DUP.invokeExact(state, number); // what a spawning child holds until its exec
            assertThat(copy).isGreaterThan(2);

            first.destroyForcibly();
            firstExited.get(30, TimeUnit.SECONDS);

            // a descriptor of ours now takes the number the pidfd had
            other = (int) EVENTFD.invokeExact(state, 0, Native.O_CLOEXEC);
            assertThat((int) DUP2.invokeExact(state, other, number)).isEqualTo(number);

            // another exit read from the set: every entry still in it was read with it
            var secondExited = PidWatch.onExit(second.pid());
            second.destroyForcibly();
            secondExited.get(30, TimeUnit.SECONDS);

            int probe = (int) DUP.invokeExact(state, number);
            assertThat(probe).as("descriptor %d is still open", number).isGreaterThan(2);
            int ignored = (int) CLOSE.invokeExact(state, probe);
        } finally {
            first.destroyForcibly();
            second.destroyForcibly();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(Native.CALL_STATE);
                for (int fd : new int[] {copy, other, number}) {
                    if (fd > 2) {
                        int ignored = (int) CLOSE.invokeExact(state, fd);
                    }
                }
            }
        }
    }

    /** The pidfd this process holds for {@code pid}: its fdinfo names the pid. */
    private static int pidfdOf(long pid) throws IOException {
        try (Stream<Path> infos = Files.list(Path.of("/proc/self/fdinfo"))) {
            return infos.filter(info -> {
                        try {
                            return Files.readAllLines(info).contains("Pid:\t" + pid);
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .mapToInt(info -> Integer.parseInt(info.getFileName().toString()))
                    .findFirst()
                    .orElseThrow();
        }
    }
}
