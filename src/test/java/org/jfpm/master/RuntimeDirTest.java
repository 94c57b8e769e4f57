package org.jfpm.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start removes the runtime dirs SIGKILLed masters left, and nothing else: a
 * directory goes only when its master's lock can be taken, whatever the pid in its
 * name says (a live master in another pid namespace has a pid that looks dead here).
 */
class RuntimeDirTest {

    /** Run in a child JVM: holds a lock on the file named by args[0] until its stdin closes. */
    public static void main(String[] args) throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
            FileLock lock = ch.lock();
            System.out.println("locked");
            System.out.flush();
            System.in.read();
            lock.release();
        }
    }

    private static long deadPid() throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        return done.pid();
    }

    @Test
    void removesOnlyDirsWhoseLockNobodyHolds(@TempDir Path base, @TempDir Path outside) throws Exception {
        long gone = deadPid();
        Path own = Files.createDirectory(base.resolve("jfpm-" + ProcessHandle.current().pid() + "-1"));
        RuntimeDir.lock(own);
        Path stale = Files.createDirectories(base.resolve("jfpm-" + gone + "-2/pool0"));
        Files.writeString(stale.resolve("prelude.php"), "<?php");
        Files.createFile(base.resolve("jfpm-" + gone + "-2").resolve(RuntimeDir.LOCK));
        Path precious = Files.writeString(outside.resolve("precious"), "keep");
        Files.createSymbolicLink(stale.resolve("link"), precious);
        Path unlocked = Files.createDirectory(base.resolve("jfpm-1-3")); // no lock file: left alone
        Path linked = Files.createSymbolicLink(base.resolve("jfpm-" + gone + "-4"), outside);
        Path notOurs = Files.createDirectory(base.resolve("jfpm-notes"));

        RuntimeDir.removeStale(own);

        assertThat(base.resolve("jfpm-" + gone + "-2")).doesNotExist();
        assertThat(precious).hasContent("keep");
        assertThat(own).isDirectory();
        assertThat(own.resolve(RuntimeDir.LOCK)).exists();
        assertThat(unlocked).isDirectory();
        assertThat(linked).isSymbolicLink();
        assertThat(outside.resolve("precious")).exists();
        assertThat(notOurs).isDirectory();
    }

    @Test
    void aLiveMasterWhosePidLooksDeadKeepsItsDir(@TempDir Path base) throws Exception {
        long gone = deadPid(); // as another pid namespace's master looks from here
        Path own = Files.createDirectory(base.resolve("jfpm-" + ProcessHandle.current().pid() + "-1"));
        RuntimeDir.lock(own);
        Path live = Files.createDirectory(base.resolve("jfpm-" + gone + "-2"));
        Path lockFile = Files.createFile(live.resolve(RuntimeDir.LOCK));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                RuntimeDirTest.class.getName(), lockFile.toString()).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");

            RuntimeDir.removeStale(own);
            assertThat(live).as("the lock is held: its master lives").isDirectory();

            holder.getOutputStream().close(); // the holder releases its lock and exits
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            RuntimeDir.removeStale(own);
            assertThat(live).as("nobody holds the lock any more").doesNotExist();
        } finally {
            holder.destroyForcibly();
        }
    }
}
