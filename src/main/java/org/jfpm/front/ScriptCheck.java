package org.jfpm.front;

import org.jfpm.log.PoolLog;
import org.jfpm.request.RequestInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.jfpm.pool.Pool;
import org.jfpm.worker.Prelude;

/**
 * The checks php-fpm's worker makes on SCRIPT_FILENAME before running anything
 * (sapi/fpm/fpm/fpm_main.c: init_request_info, and main()'s "Primary script unknown"
 * and 404 when php_fopen_primary_script fails), made by the master, which answers
 * refusals itself:
 * <ul>
 * <li>no script (no SCRIPT_FILENAME nor PATH_TRANSLATED, a {@code ..} segment, or,
 *     with cgi.fix_pathinfo, nothing found when the path is cut back at '/'):
 *     {@code 404}, {@code File not found.}, FCGI_STDERR {@code Primary script unknown}
 *     (php-cgi would answer {@code No input file specified.});</li>
 * <li>a resolved path without one of {@code security.limit_extensions} (php-cgi has
 *     no such check): {@code 403}, {@code Access denied.}, and php-fpm's NOTICE.</li>
 * </ul>
 * One stat per request when the script exists; more only while cutting back a path
 * with PATH_INFO. A chroot pool's paths are looked up under its chroot. A path that
 * is not ASCII is left to php-cgi: the JVM may not name such files byte for byte.
 */
final class ScriptCheck {
    private static final String HEADERS_404 = "Status: 404 Not Found\r\nContent-type: text/html; charset=UTF-8\r\n";
    private static final String HEADERS_403 = "Status: 403 Forbidden\r\nContent-type: text/html; charset=UTF-8\r\n";
    private static final byte[] NOT_FOUND = "File not found.\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] DENIED = "Access denied.\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A refusal the master answers: the page, the FCGI_STDERR text, the status for the access log. */
    record Refusal(MasterPage page, String stderr, int status) {}

    private final PoolLog log;
    private final List<String> extensions;
    private final boolean fixPathinfo;
    /** The chroot's path without a trailing '/', or "" for none. */
    private final String root;

    private ScriptCheck(PoolLog log, List<String> extensions, boolean fixPathinfo, String root) {
        this.log = log;
        this.extensions = List.copyOf(extensions);
        this.fixPathinfo = fixPathinfo;
        this.root = root;
    }

    static ScriptCheck of(Pool pool) {
        Prelude prelude = pool.spec().prelude();
        Path chroot = pool.spec().confinement().chroot();
        String root = chroot == null ? "" : chroot.toString();
        return new ScriptCheck(pool.log(), pool.config().securityLimitExtensions(),
                prelude == null || prelude.fixPathinfo(), root.equals("/") ? "" : root);
    }

    /** Null when the request may go to a worker. */
    Refusal check(RequestInfo info) {
        if (info.method() == null) {
            return null; // php-fpm answers an empty 200 without looking for a script; php-cgi does too
        }
        String path = stripProxyPrefix(info.scriptFilename());
        if (path == null || !isValidPath(path)) {
            return notFound();
        }
        if (!isAscii(path)) {
            return null;
        }
        String resolved = resolve(path);
        if (resolved == null) {
            if (fixPathinfo) {
                return notFound();
            }
            // without fix_pathinfo php-fpm checks the extensions of the path as given, then
            // leaves a missing file to open(), whose failure both answer "No input file specified."
            resolved = path;
            if (extensions.isEmpty() || extensions.stream().anyMatch(resolved::endsWith)) {
                return null;
            }
        }
        if (!extensions.isEmpty() && extensions.stream().noneMatch(resolved::endsWith)) {
            String message = "Access to the script '" + resolved + "' has been denied (see security.limit_extensions)";
            log.notice(message);
            return new Refusal(new MasterPage(HEADERS_403, DENIED), message, 403);
        }
        return null;
    }

    private static Refusal notFound() {
        return new Refusal(new MasterPage(HEADERS_404, NOT_FOUND), "Primary script unknown", 404);
    }

    /** The path as given if it exists, else (cgi.fix_pathinfo) its longest prefix ending before a '/' that is a file; else null. */
    private String resolve(String path) {
        if (stat(path, false)) {
            return path;
        }
        if (!fixPathinfo) {
            return null;
        }
        for (int cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
            String prefix = path.substring(0, cut);
            if (stat(prefix, true)) {
                return prefix;
            }
        }
        return null;
    }

    private boolean stat(String path, boolean regularFile) {
        try {
            BasicFileAttributes a = Files.readAttributes(Path.of(root + path), BasicFileAttributes.class);
            return !regularFile || a.isRegularFile();
        } catch (IOException | InvalidPathException | SecurityException e) {
            return false;
        }
    }

    /** Apache's mod_proxy_fcgi sends {@code proxy:fcgi://host:port/path}; php-fpm keeps the path. */
    static String stripProxyPrefix(String path) {
        if (path == null) {
            return null;
        }
        for (String prefix : new String[] {"proxy:fcgi://", "proxy:balancer://"}) {
            if (path.regionMatches(true, 0, prefix, 0, prefix.length())) {
                int slash = path.indexOf('/', prefix.length());
                return slash < 0 ? "" : path.substring(slash);
            }
        }
        return path;
    }

    /** php-fpm's is_valid_path(): no {@code ..} segment. */
    static boolean isValidPath(String path) {
        int n = path.length();
        for (int i = 0; i < n; i++) {
            boolean segmentStart = i == 0 || path.charAt(i - 1) == '/';
            if (segmentStart && path.startsWith("..", i) && (i + 2 == n || path.charAt(i + 2) == '/')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80 || s.charAt(i) == 0) {
                return false;
            }
        }
        return true;
    }
}
