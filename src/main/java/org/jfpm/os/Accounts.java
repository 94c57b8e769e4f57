package org.jfpm.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * User and group lookups as getpwnam(3)/getgrnam(3) answer them: /etc/passwd and /etc/group
 * first, then {@code getent} for names that live in other NSS sources (LDAP, sssd).
 */
public final class Accounts {
    private Accounts() {
    }

    /** A user's uid, primary gid and home directory. */
    public record User(String name, int uid, int gid, String home) {
    }

    public static Optional<User> user(String name) {
        Optional<String> line = lookup("passwd", name);
        return line.flatMap(l -> {
            String[] f = l.split(":", -1);
            if (f.length < 4) {
                return Optional.empty();
            }
            try {
                return Optional.of(new User(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                        f.length > 5 ? f[5] : "/"));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    public static Optional<Integer> groupId(String name) {
        return lookup("group", name).flatMap(l -> {
            String[] f = l.split(":", -1);
            try {
                return f.length < 3 ? Optional.empty() : Optional.of(Integer.parseInt(f[2]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** The user name of a uid, if /etc/passwd has it. */
    public static Optional<User> userById(int uid) {
        return fileLines("passwd").stream().map(l -> l.split(":", -1))
                .filter(f -> f.length >= 4 && f[2].equals(Integer.toString(uid)))
                .findFirst().map(f -> new User(f[0], uid, Integer.parseInt(f[3]), f.length > 5 ? f[5] : "/"));
    }

    /** The effective uid of this process (from /proc/self/status), or -1 when it cannot be read. */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    public static boolean runningAsRoot() {
        return effectiveUid() == 0;
    }

    /**
     * The groups initgroups() would give the user (primary first), as {@code id -G} reports
     * them through the system's name services; empty when the user is unknown.
     */
    public static List<Integer> groupList(String name) {
        try {
            Process p = new ProcessBuilder("id", "-G", "--", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                return List.of();
            }
            return java.util.Arrays.stream(out.split("\\s+")).map(Integer::valueOf).toList();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static Optional<String> lookup(String database, String name) {
        if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('\n') >= 0) {
            return Optional.empty();
        }
        for (String line : fileLines(database)) {
            if (line.startsWith(name + ":")) {
                return Optional.of(line);
            }
        }
        return getent(database, name);
    }

    private static List<String> fileLines(String database) {
        try {
            return Files.readAllLines(Path.of("/etc", database), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Optional<String> getent(String database, String name) {
        try {
            Process p = new ProcessBuilder("getent", database, "--", name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return p.exitValue() == 0 && out.startsWith(name + ":") ? Optional.of(out.lines().findFirst().orElse(""))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
