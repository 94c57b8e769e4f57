package org.jfpm.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** php-fpm's pid file (fpm_unix.c): replaced, mode 0644, the decimal pid without a newline. */
final class PidFile {
    private PidFile() {}

    static void write(Path path, long pid) throws IOException {
        Files.deleteIfExists(path);
        Files.writeString(path, Long.toString(pid), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));
    }

    static void remove(Path path) throws IOException {
        Files.deleteIfExists(path);
    }
}
