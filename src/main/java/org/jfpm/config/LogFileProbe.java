package org.jfpm.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Opens a log file for appending and closes it again, creating it 0600 like php-fpm does during
 * {@code -t} (error_log, slowlog), so a wrong path fails the test instead of the start.
 */
final class LogFileProbe {
    private LogFileProbe() {
    }

    /** @return null on success, else php-fpm's errno text, e.g. {@code No such file or directory (2)} */
    static String openForAppend(String file) {
        try {
            Path path = Path.of(file);
            if (!Files.exists(path)) {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.newOutputStream(path, StandardOpenOption.APPEND, StandardOpenOption.WRITE).close();
            return null;
        } catch (NoSuchFileException e) {
            return "No such file or directory (2)";
        } catch (AccessDeniedException e) {
            return "Permission denied (13)";
        } catch (FileSystemException e) {
            return Files.isDirectory(Path.of(file)) ? "Is a directory (21)" : String.valueOf(e.getReason());
        } catch (IOException | RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }
}
