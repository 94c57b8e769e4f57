package org.jfpm.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A directory under the system temp dir that is deleted, with everything in it, on close.
 * Short on purpose: unix socket paths must fit in 108 bytes.
 */
public final class ScratchDir implements AutoCloseable {

    private final Path path;

    private ScratchDir(Path path) {
        this.path = path;
    }

    public static ScratchDir create(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            // nginx workers (user root or the current user) and php-cgi must be able to enter it
            dir.toFile().setExecutable(true, false);
            dir.toFile().setReadable(true, false);
            return new ScratchDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir", e);
        }
    }

    /** An existing directory someone else made (a SIGKILLed master's runtime dir), to delete on close. */
    public static ScratchDir adopt(Path dir) {
        return new ScratchDir(dir);
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    public Path write(String name, String text) {
        try {
            return Files.writeString(path.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name, e);
        }
    }

    @Override
    public void close() {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + path, e);
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
