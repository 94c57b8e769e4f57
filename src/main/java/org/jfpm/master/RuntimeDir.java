package org.jfpm.master;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The master's private directory for its workers' sockets and the prelude:
 * {@code jfpm-PID-RANDOM} in systemd's {@code RuntimeDirectory=} when the unit has one
 * (systemd removes it when the service stops, however the master ended), else in the
 * temp dir. A SIGKILLed master cannot remove its own, so each start removes those of
 * masters that are gone: same owner, no process with that pid.
 */
final class RuntimeDir {
    private static final Pattern NAME = Pattern.compile("jfpm-(\\d+)-\\d+");

    private RuntimeDir() {}

    /** A new directory, traversable by the pools' users and listable by nobody but the master. */
    static Path create() throws IOException {
        Path dir = Files.createTempDirectory(base(), "jfpm-" + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        removeStale(dir);
        return dir;
    }

    /** The first of systemd's {@code $RUNTIME_DIRECTORY}, else {@code java.io.tmpdir}. */
    static Path base() {
        String systemd = System.getenv("RUNTIME_DIRECTORY");
        if (systemd != null && !systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Removes the other runtime dirs beside {@code own} that have its owner and whose master is gone. */
    static void removeStale(Path own) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(own.getParent(), "jfpm-*")) {
            Object owner = Files.getAttribute(own, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            for (Path dir : dirs) {
                Matcher m = NAME.matcher(dir.getFileName().toString());
                if (m.matches() && !dir.equals(own)
                        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        && owner.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                        && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    delete(dir);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // a directory left behind costs a few bytes; the start goes on
        }
    }

    /** Deletes {@code dir} and what is in it; symbolic links are removed, never followed. */
    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // what could not be removed stays; nothing depends on it
        }
    }
}
