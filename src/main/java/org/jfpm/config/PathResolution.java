package org.jfpm.config;

import java.util.Set;

/**
 * Where php-fpm resolves relative paths (sapi/fpm/fpm/fpm_conf.c, fpm_evaluate_full_path): pid and
 * error_log against the -p prefix or /var; include and pool prefix against -p or /usr; pool paths
 * against the pool prefix, else -p, else /usr.
 */
record PathResolution(String globalPrefix) {
    static final String COMPILED_PREFIX = "/usr";
    static final String COMPILED_LOCALSTATEDIR = "/var";

    /** php_value / php_admin_value keys whose values php-fpm treats as paths (fpm_php.c). */
    static final Set<String> PATH_INI_KEYS = Set.of("error_log", "extension_dir", "mime_magic.magicfile",
            "sendmail_path", "session.cookie_path", "session_pgsql.sem_file_name", "soap.wsdl_cache_dir",
            "uploadprogress.file.filename_template", "xdebug.output_dir", "xdebug.profiler_output_dir",
            "xdebug.trace_output_dir", "xmms.path", "axis2.client_home", "blenc.key_file", "coin_acceptor.device");

    /** pid, error_log. */
    String globalStatePath(String path) {
        return resolve(path, globalPrefix != null ? globalPrefix : COMPILED_LOCALSTATEDIR);
    }

    /** include patterns and the pool prefix. */
    String installPath(String path) {
        return resolve(path, globalPrefix != null ? globalPrefix : COMPILED_PREFIX);
    }

    /** listen (unix), access.log, slowlog, chdir, path-like php values. */
    String poolPath(String path, String poolPrefix) {
        if (poolPrefix != null) {
            return resolve(path, poolPrefix);
        }
        return installPath(path);
    }

    private static String resolve(String path, String base) {
        if (path == null || path.startsWith("/")) {
            return path;
        }
        return base.endsWith("/") ? base + path : base + "/" + path;
    }
}
