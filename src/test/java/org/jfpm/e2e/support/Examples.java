package org.jfpm.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files under examples/, as a user would copy them, with the few literal values a
 * test must change (port, document root, socket) swapped for its own. Each swap must
 * find its text, so an example that drifts away from what its test expects fails the
 * test instead of silently not being the file that was tested.
 */
public final class Examples {

    /** What the examples say, and what the tests swap in. */
    public static final String SOCKET = "/run/php/php8.2-fpm.sock";
    public static final String DOCROOT = "/var/www/html";

    private final Path file;
    private final Map<String, String> swaps = new LinkedHashMap<>();

    private Examples(Path file) {
        this.file = file;
    }

    /** A file under examples/, e.g. {@code nginx/jfpm-site.conf}. */
    public static Examples file(String relative) {
        Path file = ProjectFiles.root().resolve("examples").resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("example " + file + " does not exist");
        }
        return new Examples(file);
    }

    public Path path() {
        return file;
    }

    /** Replaces every occurrence of {@code literal}, which must occur at least once. */
    public Examples swap(String literal, String replacement) {
        swaps.put(literal, replacement);
        return this;
    }

    public String text() {
        try {
            String text = Files.readString(file);
            for (Map.Entry<String, String> s : swaps.entrySet()) {
                if (!text.contains(s.getKey())) {
                    throw new AssertionError("example " + file + " no longer contains '" + s.getKey()
                            + "', which its test replaces");
                }
                text = text.replace(s.getKey(), s.getValue());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
