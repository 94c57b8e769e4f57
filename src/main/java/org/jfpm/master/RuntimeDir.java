package org.jfpm.master;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The master's private directory for its workers' sockets and the prelude:
 * {@code jfpm-PID-RANDOM} in systemd's {@code RuntimeDirectory=} when the unit has one
 * (systemd removes it when the service stops, however the master ended), else in the
 * temp dir.
 *
 * <p>A SIGKILLed master cannot remove its own, so each start removes those of masters
 * that are gone. Gone is proved, not guessed from the pid in the name: the master holds
 * a lock on {@link #LOCK} in its directory for as long as it lives (the kernel drops it
 * when the process ends, however it ends), and a directory is removed only when its lock
 * can be taken. A pid says nothing across pid namespaces (a container, a sandbox, a test
 * harness with {@code unshare}): there another live master's pid looks dead.
 */
final class RuntimeDir {
    private static final Pattern NAME = Pattern.compile("jfpm-\\d+-\\d+");
    /** The file whose lock says the directory's master is alive. */
    static final String LOCK = "master.lock";
    /**
     * This master's lock, held until the process ends. The reference matters: an
     * unreachable channel is closed by its cleaner, and closing it drops the lock.
     */
    private static volatile FileLock held;

    private RuntimeDir() {}

    /**
     * A new directory, traversable by the pools' users and listable by nobody but the master;
     * those of masters that are gone are removed in the background.
     * Named as {@link Files#createTempDirectory} would name it, without its SecureRandom (whose
     * set-up is slow to load): mkdir(2) fails on any existing name, a planted symbolic link
     * included, so a name that was guessed costs another try, never the directory.
     */
    static Path create() throws IOException {
        Path base = base();
        String prefix = "jfpm-" + ProcessHandle.current().pid() + "-";
        for (int attempt = 1; ; attempt++) {
            Path dir = base.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()));
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx--x--x")));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
                continue;
            }
            held = lock(dir);
            // off the way to the first request: a directory stream, a glob and a lock per entry
            // cost tens of milliseconds cold, and nothing of this start depends on the result
            Thread.ofPlatform().daemon(true).name("jfpm-stale").start(() -> removeStale(dir));
            return dir;
        }
    }

    /** Takes this master's lock again in its recreated {@code dir} (the old one went with its file). */
    static void relock(Path dir) throws IOException {
        FileLock old = held;
        held = lock(dir);
        if (old != null) {
            old.channel().close();
        }
    }

    /** Takes the lock that marks {@code dir} as a live master's; it stays held until the process ends. */
    static FileLock lock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK), Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            throw new IOException("cannot lock " + dir.resolve(LOCK) + ": held by another process");
        }
        return lock;
    }

    /** Whether {@code dir}'s master is gone: its lock file exists and nobody holds the lock. */
    private static boolean abandoned(Path dir) {
        Path lockFile = dir.resolve(LOCK);
        if (!Files.isRegularFile(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return false; // a master still setting up, or one of a version without the lock: left alone
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException alive) {
            return false; // held by this very process
        } catch (IOException e) {
            return false;
        }
    }

    /** The first of systemd's {@code $RUNTIME_DIRECTORY}, else {@code java.io.tmpdir}. */
    static Path base() {
        String systemd = System.getenv("RUNTIME_DIRECTORY");
        if (systemd != null && !systemd.isBlank()) {
            return Path.of(systemd.split(":")[0]);
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Removes the other runtime dirs beside {@code own} that have its owner and whose master is gone (unlocked). */
    static void removeStale(Path own) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(own.getParent(), "jfpm-*")) {
            Object owner = Files.getAttribute(own, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            for (Path dir : dirs) {
                if (NAME.matcher(dir.getFileName().toString()).matches() && !dir.equals(own)
                        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        && owner.equals(Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                        && abandoned(dir)) {
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
