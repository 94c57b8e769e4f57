package org.jfpm.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start removes the runtime dirs SIGKILLed masters left, and nothing else. */
class RuntimeDirTest {

    @Test
    void removesOnlyDirsOfMastersThatAreGone(@TempDir Path base, @TempDir Path outside) throws Exception {
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        long gone = done.pid();
        Path own = Files.createDirectory(base.resolve("jfpm-" + ProcessHandle.current().pid() + "-1"));
        Path stale = Files.createDirectories(base.resolve("jfpm-" + gone + "-2/pool0"));
        Files.writeString(stale.resolve("prelude.php"), "<?php");
        Path precious = Files.writeString(outside.resolve("precious"), "keep");
        Files.createSymbolicLink(stale.resolve("link"), precious);
        Path running = Files.createDirectory(base.resolve("jfpm-1-3")); // pid 1 runs
        Path linked = Files.createSymbolicLink(base.resolve("jfpm-" + gone + "-4"), outside);
        Path notOurs = Files.createDirectory(base.resolve("jfpm-notes"));

        RuntimeDir.removeStale(own);

        assertThat(base.resolve("jfpm-" + gone + "-2")).doesNotExist();
        assertThat(precious).hasContent("keep");
        assertThat(own).isDirectory();
        assertThat(running).isDirectory();
        assertThat(linked).isSymbolicLink();
        assertThat(outside.resolve("precious")).exists();
        assertThat(notOurs).isDirectory();
    }
}
