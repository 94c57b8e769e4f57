package org.jfpm.e2e.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the project under test and the test scripts are. */
public final class ProjectFiles {

    private ProjectFiles() {}

    /**
     * The project root: the {@code jfpm.root} system property (set by the failsafe
     * configuration in pom.xml), else the nearest directory upwards from the working
     * directory that holds a pom.xml.
     */
    public static Path root() {
        String configured = System.getProperty("jfpm.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("pom.xml"))) {
                return d;
            }
        }
        throw new IllegalStateException("no pom.xml above " + dir + "; set -Djfpm.root");
    }

    /** The launcher, {@code bin/jfpm}. */
    public static Path launcher() {
        return root().resolve("bin/jfpm");
    }

    /** The document root holding src/test/resources/php, as copied to target/test-classes. */
    public static Path phpDocroot() {
        Path copied = root().resolve("target/test-classes/php");
        if (Files.isDirectory(copied)) {
            return copied;
        }
        return root().resolve("src/test/resources/php");
    }
}
