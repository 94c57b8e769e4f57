package org.jfpm.os;

/** errno values jfpm tests for, and php-fpm's "{@code Text (n)}" rendering of any errno. */
public final class Errno {
    private Errno() {}

    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int EADDRINUSE = 98;

    /** {@code "No such file or directory (2)"}: strerror text as glibc prints it, then the number. */
    public static String describe(int errno) {
        String text = switch (errno) {
            case 1 -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case EINTR -> "Interrupted system call";
            case 9 -> "Bad file descriptor";
            case EACCES -> "Permission denied";
            case 17 -> "File exists";
            case 20 -> "Not a directory";
            case 21 -> "Is a directory";
            case 22 -> "Invalid argument";
            case 24 -> "Too many open files";
            case 28 -> "No space left on device";
            case 30 -> "Read-only file system";
            case EADDRINUSE -> "Address already in use";
            case 99 -> "Cannot assign requested address";
            case 111 -> "Connection refused";
            default -> "Unknown error " + errno;
        };
        return text + " (" + errno + ")";
    }
}
