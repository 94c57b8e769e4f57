package org.jfpm.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Expands an {@code include} pattern like glob(3) with GLOB_ERR | GLOB_MARK, as php-fpm does:
 * sorted matches, directories skipped, wildcards do not match a leading dot, a directory that
 * cannot be listed aborts (php-fpm: {@code Unable to globalize ... (ret=2)}), no match is a warning.
 */
final class IncludeGlob {
    private IncludeGlob() {
    }

    sealed interface Result {
        record Matches(List<String> files) implements Result {
        }

        record NoMatch() implements Result {
        }

        record Aborted() implements Result {
        }
    }

    static Result expand(String pattern) {
        String[] parts = pattern.split("/+", -1);
        List<String> candidates = new ArrayList<>(List.of(pattern.startsWith("/") ? "/" : ""));
        boolean sawMagic = false;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                continue;
            }
            boolean last = i == lastNonEmpty(parts);
            List<String> next = new ArrayList<>();
            for (String base : candidates) {
                if (!isMagic(part)) {
                    String path = join(base, part);
                    // glob checks a literal component only when it ends the pattern or follows a wildcard
                    if (!(last || sawMagic) || exists(path, !last)) {
                        next.add(path);
                    }
                    continue;
                }
                List<String> listed = list(base);
                if (listed == null) {
                    return new Result.Aborted();
                }
                Pattern regex = toRegex(part);
                for (String name : listed) {
                    if (regex.matcher(name).matches() && (!name.startsWith(".") || part.startsWith("."))) {
                        String path = join(base, name);
                        if (last || Files.isDirectory(Path.of(path))) {
                            next.add(path);
                        }
                    }
                }
            }
            sawMagic |= isMagic(part);
            candidates = next;
        }
        List<String> files = candidates.stream().filter(p -> !Files.isDirectory(Path.of(p))).sorted().toList();
        if (candidates.isEmpty()) {
            return new Result.NoMatch();
        }
        return new Result.Matches(files);
    }

    private static int lastNonEmpty(String[] parts) {
        for (int i = parts.length - 1; i >= 0; i--) {
            if (!parts[i].isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isMagic(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
    }

    private static String join(String base, String name) {
        return base.isEmpty() ? name : base.endsWith("/") ? base + name : base + "/" + name;
    }

    private static boolean exists(String path, boolean mustBeDirectory) {
        try {
            Path p = Path.of(path);
            return mustBeDirectory ? Files.isDirectory(p) : Files.exists(p);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Directory entries, or null when the directory cannot be opened (GLOB_ERR aborts then). */
    private static List<String> list(String dir) {
        try (Stream<Path> entries = Files.list(Path.of(dir.isEmpty() ? "." : dir))) {
            return entries.map(p -> p.getFileName().toString()).toList();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** fnmatch(3) without flags: * ? [set] [!set], backslash escapes. */
    static Pattern toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                case '[' -> {
                    int close = glob.indexOf(']', i + 2);
                    if (close < 0) {
                        regex.append("\\[");
                    } else {
                        String set = glob.substring(i + 1, close);
                        boolean negate = set.startsWith("!") || set.startsWith("^");
                        String body = negate ? set.substring(1) : set;
                        regex.append('[').append(negate ? "^" : "").append(body.replace("\\", "\\\\").replace("[", "\\["))
                                .append(']');
                        i = close;
                    }
                }
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        regex.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    }
                }
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        try {
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        } catch (RuntimeException e) {
            return Pattern.compile(Pattern.quote(glob));
        }
    }
}
