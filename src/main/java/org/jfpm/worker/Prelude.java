package org.jfpm.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.log.PoolLog;

/**
 * jfpm's worker prelude (resource {@code prelude.php}) as installed for one pool: the
 * file every script of the pool runs first, as its {@code auto_prepend_file}, to give
 * php-cgi what php-fpm's SAPI has (PHP_VALUE per request, fastcgi_finish_request()).
 *
 * <p>Installing it takes the pool's {@code auto_prepend_file} slot, so the user's own
 * value is learnt first and handed to the prelude, which runs it: the value the pool's
 * workers would have without jfpm, that is php-cgi's answer to {@code -i} with the
 * pool's exact command line (pool php_admin_value, then php_value, then the command
 * line's -d, then php.ini and its scan directory, last assignment winning, all as PHP
 * itself reads them). The same answer gives {@code open_basedir}, which must admit the
 * prelude's directory, and {@code cgi.fix_pathinfo}, which the master's script check
 * follows.
 *
 * @param file         the installed copy, in the pool's worker socket directory (the
 *                     same path inside a chroot), readable by the pool's user, written by
 *                     the master only
 * @param marker       128 random bits in hex: the prelude's fastcgi_finish_request()
 *                     sends it as one FCGI_STDERR line; only the master knows it means "the
 *                     response ends here" (a script can read it, a client cannot forge it)
 * @param userPrepend  the pool's own auto_prepend_file, empty when none
 * @param openBasedir  the pool's open_basedir, empty when none
 * @param fixPathinfo  cgi.fix_pathinfo
 * @param phpHeaders   the header lines PHP adds to every answer of the pool's workers, each ending in
 *                     CRLF: {@code X-Powered-By: PHP/8.2.x} when the pool's expose_php is on, else
 *                     empty; the master's own answers (ping, status, 404, 403) carry them too, as
 *                     php-fpm's do, since php-fpm answers those from inside PHP
 * @param adminLock    the lock on the pool's php_admin_value entries, null when the pool has none
 *                     or the lock cannot hold (the start-up log says why)
 */
public record Prelude(Path file, String marker, String userPrepend, String openBasedir, boolean fixPathinfo,
                      String phpHeaders, AdminLock adminLock) {

    public Prelude(Path file, String marker, String userPrepend, String openBasedir, boolean fixPathinfo,
            String phpHeaders) {
        this(file, marker, userPrepend, openBasedir, fixPathinfo, phpHeaders, null);
    }

    private static final String RESOURCE = "prelude.php";

    /**
     * The parameter of {@link SharedParent}'s pid probe: when it carries the marker, the
     * prelude prints the worker's pid and ends the request before anything else runs.
     */
    static final String PID_PROBE_PARAM = "JFPM_PID_PROBE";
    private static final Pattern ROW = Pattern.compile(
            "<tr><td class=\"e\">([^<]+)</td><td class=\"v\">(.*?)</td>");

    /** The marker line as it arrives on FCGI_STDERR: php-cgi's error_log(..., 4) adds the newline. */
    public byte[] markerLine() {
        return (marker + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Starts learning the pool's settings ({@code php-cgi -i} through the pool's exec chain)
     * and writes the prelude into the pool's socket directory; {@link Pending#finish} returns
     * the spec that starts workers with it. Null after logging why it could not.
     */
    public static Pending begin(WorkerSpec spec) {
        WorkerProcess.InfoRun probe;
        try {
            probe = WorkerProcess.startInfo(spec);
        } catch (WorkerProcess.StartException e) {
            new PoolLog(spec.pool()).error("unable to prepare a worker: " + e.getMessage());
            return null;
        }
        Path file = spec.runtimeDir().resolve(RESOURCE);
        try {
            writeResource(RESOURCE, file);
            if (!spec.phpAdminValues().isEmpty()) {
                AdminLock.write(AdminLock.fileIn(spec.runtimeDir()));
            }
            return new Pending(spec, probe, file, HexFormat.of().formatHex(secret()), null);
        } catch (IOException e) {
            return new Pending(spec, probe, file, null, e); // reported after the probe's own verdict
        }
    }

    /** A pool's prelude written and its {@code php-cgi -i} running. */
    public static final class Pending {
        private final WorkerSpec spec;
        private final WorkerProcess.InfoRun probe;
        private final Path file;
        private final String marker;
        private final IOException notWritten;

        private Pending(WorkerSpec spec, WorkerProcess.InfoRun probe, Path file, String marker,
                IOException notWritten) {
            this.spec = spec;
            this.probe = probe;
            this.file = file;
            this.marker = marker;
            this.notWritten = notWritten;
        }

        /**
         * The spec {@link #finish} returns when the pool has neither an auto_prepend_file nor
         * an open_basedir of its own, the usual case: its workers' command line is already
         * known, so a shared parent can start on it while php-cgi -i runs
         * ({@link SharedParent#adopt} checks the guess). Null when the prelude was not written.
         */
        public WorkerSpec guess() {
            AdminLock lock = spec.phpAdminValues().isEmpty() || workersAreRoot() ? null
                    : new AdminLock(AdminLock.fileIn(spec.runtimeDir()), "");
            return notWritten != null ? null : spec.withPrelude(new Prelude(file, marker, "", "", true, "", lock));
        }

        private boolean workersAreRoot() {
            return spec.identity() != null ? spec.identity().uid() == 0 : org.jfpm.os.Native.getuid() == 0;
        }

        /** Waits for php-cgi -i; the spec with the prelude, or null after logging why not. */
        public WorkerSpec finish() {
            Settings user;
            try {
                user = parse(probe.output());
            } catch (WorkerProcess.StartException | IOException e) {
                new PoolLog(spec.pool()).error("unable to prepare a worker: " + e.getMessage());
                return null;
            } catch (InterruptedException e) {
                probe.cancel();
                Thread.currentThread().interrupt();
                return null;
            }
            if (notWritten != null) {
                new PoolLog(spec.pool()).error("unable to install the worker prelude: "
                        + notWritten.getMessage());
                return null;
            }
            AdminLock lock = null;
            if (!spec.phpAdminValues().isEmpty()) {
                String problem = AdminLock.problem(user, workersAreRoot());
                if (problem == null) {
                    lock = new AdminLock(AdminLock.fileIn(spec.runtimeDir()), user.opcachePreload());
                } else {
                    new PoolLog(spec.pool()).notice("php_admin_value and php_admin_flag are applied at worker "
                            + "start but not locked against ini_set(): " + problem);
                }
            }
            return spec.withPrelude(new Prelude(file, marker, user.autoPrependFile, user.openBasedir,
                    user.fixPathinfo, user.exposePhp && !user.phpVersion.isEmpty()
                            ? "X-Powered-By: PHP/" + user.phpVersion + "\r\n" : "", lock));
        }
    }

    /**
     * 128 bits from the kernel's random source, which is what SecureRandom's default reads on
     * Linux (random(4)), without SecureRandom's provider set-up, which is slow to load.
     */
    private static byte[] secret() throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            byte[] bits = in.readNBytes(16);
            if (bits.length != 16) {
                throw new IOException("/dev/urandom gave " + bits.length + " bytes");
            }
            return bits;
        }
    }

    /** Writes the prelude again when its file is gone (removed by something else); false when it was there. */
    public boolean restore() throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        writeResource(RESOURCE, file);
        return true;
    }

    /** Copies {@code resource} (beside this class in the jar) to a new {@code file}, read-only for everyone. */
    static void writeResource(String resource, Path file) throws IOException {
        byte[] text;
        try (InputStream in = Prelude.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " missing from the jar");
            }
            text = in.readAllBytes();
        }
        Files.write(file, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    }

    record Settings(String autoPrependFile, String openBasedir, boolean fixPathinfo, boolean exposePhp,
                    String phpVersion, String opcachePreload, boolean opcacheUp, boolean ffi, String ffiEnable,
                    boolean threadSafe, String system) {}

    private static final Pattern FFI_SUPPORT = Pattern.compile("<tr class=\"h\"><th>FFI support</th><th>enabled</th>");

    /** The rows of phpinfo()'s HTML (php-cgi prints HTML) the master needs; first value column = the local value. */
    static Settings parse(String phpinfo) throws IOException {
        String prepend = null;
        String basedir = null;
        String fixPathinfo = null;
        String exposePhp = null;
        String version = "";
        String preload = "";
        String opcache = "";
        String opcacheEnable = null;
        String ffiEnable = "";
        String threadSafety = "";
        String system = "";
        Matcher m = ROW.matcher(phpinfo);
        while (m.find()) {
            switch (m.group(1).strip()) {
                case "auto_prepend_file" -> prepend = value(m.group(2));
                case "open_basedir" -> basedir = value(m.group(2));
                case "cgi.fix_pathinfo" -> fixPathinfo = value(m.group(2));
                case "expose_php" -> exposePhp = value(m.group(2));
                case "PHP Version" -> version = value(m.group(2)).strip();
                case "opcache.preload" -> preload = value(m.group(2));
                case "Opcode Caching" -> opcache = value(m.group(2)).strip();
                case "opcache.enable" -> opcacheEnable = value(m.group(2));
                case "ffi.enable" -> ffiEnable = value(m.group(2));
                case "Thread Safety" -> threadSafety = value(m.group(2)).strip();
                case "System" -> system = value(m.group(2));
                default -> { }
            }
        }
        if (prepend == null || basedir == null) {
            throw new IOException("php-cgi -i did not show auto_prepend_file and open_basedir");
        }
        return new Settings(prepend, basedir, isOn(fixPathinfo, true), isOn(exposePhp, false), version, preload,
                opcache.equals("Up and Running") && isOn(opcacheEnable, false), FFI_SUPPORT.matcher(phpinfo).find(),
                ffiEnable, threadSafety.equals("enabled"), system);
    }

    /** phpinfo()'s rendering of a boolean ini value (On/Off, or the raw 1/0); {@code absent} when not shown. */
    private static boolean isOn(String shown, boolean absent) {
        return shown == null ? absent : !(shown.isEmpty() || shown.equals("Off") || shown.equals("0"));
    }

    private static String value(String html) {
        if (html.equals("<i>no value</i>")) {
            return "";
        }
        return html.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#039;", "'").replace("&amp;", "&");
    }
}
