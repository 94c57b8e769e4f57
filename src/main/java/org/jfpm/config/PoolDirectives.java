package org.jfpm.config;

import static org.jfpm.config.Scope.POOL;

import java.util.List;

/**
 * The pool directives in php-fpm's documented (and {@code -tt}) order. Adding a directive is
 * one line here plus its accessor in {@link PoolConfig}.
 */
final class PoolDirectives {
    private PoolDirectives() {
    }

    /** php-fpm's default access.format, applied at start when the pool logs requests. */
    static final String DEFAULT_ACCESS_FORMAT = "%R - %u %t \"%m %r\" %s";

    static final Directive<String> PREFIX = string("prefix");
    static final Directive<String> USER = string("user");
    static final Directive<String> GROUP = string("group");
    static final Directive<String> LISTEN = string("listen");
    static final Directive<Integer> LISTEN_BACKLOG = Directive.of(POOL, "listen.backlog", ScalarType.INTEGER, -1);
    static final Directive<String> LISTEN_ACL_USERS = string("listen.acl_users");
    static final Directive<String> LISTEN_ACL_GROUPS = string("listen.acl_groups");
    static final Directive<String> LISTEN_OWNER = string("listen.owner");
    static final Directive<String> LISTEN_GROUP = string("listen.group");
    static final Directive<String> LISTEN_MODE =
            Directive.withRuntimeDefault(POOL, "listen.mode", ScalarType.STRING, null, "0660");
    static final Directive<String> LISTEN_ALLOWED_CLIENTS = string("listen.allowed_clients");
    static final Directive<Integer> PROCESS_PRIORITY = Directive.of(POOL, "process.priority", ScalarType.INTEGER, null);
    static final Directive<Boolean> PROCESS_DUMPABLE = Directive.of(POOL, "process.dumpable", ScalarType.BOOLEAN, false);
    static final Directive<Pm> PM = Directive.of(POOL, "pm", ScalarType.PROCESS_MANAGER, null);
    static final Directive<Integer> PM_MAX_CHILDREN = integer("pm.max_children", 0);
    static final Directive<Integer> PM_START_SERVERS = integer("pm.start_servers", 0);
    static final Directive<Integer> PM_MIN_SPARE_SERVERS = integer("pm.min_spare_servers", 0);
    static final Directive<Integer> PM_MAX_SPARE_SERVERS = integer("pm.max_spare_servers", 0);
    static final Directive<Integer> PM_MAX_SPAWN_RATE = integer("pm.max_spawn_rate", 32);
    static final Directive<Integer> PM_PROCESS_IDLE_TIMEOUT =
            Directive.of(POOL, "pm.process_idle_timeout", ScalarType.TIME_DUMPED_BARE, 10);
    static final Directive<Integer> PM_MAX_REQUESTS = integer("pm.max_requests", 0);
    static final Directive<String> PM_STATUS_PATH = string("pm.status_path");
    static final Directive<String> PM_STATUS_LISTEN = string("pm.status_listen");
    static final Directive<String> PING_PATH = string("ping.path");
    static final Directive<String> PING_RESPONSE =
            Directive.withRuntimeDefault(POOL, "ping.response", ScalarType.STRING, null, "pong");
    static final Directive<String> ACCESS_LOG = string("access.log");
    static final Directive<String> ACCESS_FORMAT = Directive.withRuntimeDefault(POOL, "access.format",
            ScalarType.STRING, null, DEFAULT_ACCESS_FORMAT);
    static final Directive<List<ArrayEntry>> ACCESS_SUPPRESS_PATH = array("access.suppress_path", ArrayType.SUPPRESS_PATH);
    static final Directive<String> SLOWLOG = string("slowlog");
    static final Directive<Integer> REQUEST_SLOWLOG_TIMEOUT = time("request_slowlog_timeout");
    static final Directive<Integer> REQUEST_SLOWLOG_TRACE_DEPTH = integer("request_slowlog_trace_depth", 20);
    static final Directive<Integer> REQUEST_TERMINATE_TIMEOUT = time("request_terminate_timeout");
    static final Directive<Boolean> REQUEST_TERMINATE_TIMEOUT_TRACK_FINISHED =
            Directive.of(POOL, "request_terminate_timeout_track_finished", ScalarType.BOOLEAN, false);
    static final Directive<Integer> RLIMIT_FILES = integer("rlimit_files", 0);
    static final Directive<Long> RLIMIT_CORE = Directive.of(POOL, "rlimit_core", ScalarType.RLIMIT_CORE, 0L);
    static final Directive<String> CHROOT = string("chroot");
    static final Directive<String> CHDIR = string("chdir");
    static final Directive<Boolean> CATCH_WORKERS_OUTPUT =
            Directive.of(POOL, "catch_workers_output", ScalarType.BOOLEAN, false);
    static final Directive<Boolean> DECORATE_WORKERS_OUTPUT =
            Directive.of(POOL, "decorate_workers_output", ScalarType.BOOLEAN, true);
    static final Directive<Boolean> CLEAR_ENV = Directive.of(POOL, "clear_env", ScalarType.BOOLEAN, true);
    static final Directive<String> SECURITY_LIMIT_EXTENSIONS =
            Directive.of(POOL, "security.limit_extensions", ScalarType.WORD_LIST, ".php .phar");
    static final Directive<String> APPARMOR_HAT = string("apparmor_hat").notDumped();
    static final Directive<List<ArrayEntry>> ENV = array("env", ArrayType.ENV);
    static final Directive<List<ArrayEntry>> PHP_VALUE = array("php_value", ArrayType.PHP_VALUE);
    /** Stored with php_value (php-fpm keeps one list), so not dumped under its own name. */
    static final Directive<List<ArrayEntry>> PHP_FLAG = array("php_flag", ArrayType.PHP_FLAG).notDumped();
    static final Directive<List<ArrayEntry>> PHP_ADMIN_VALUE = array("php_admin_value", ArrayType.PHP_VALUE);
    static final Directive<List<ArrayEntry>> PHP_ADMIN_FLAG =
            array("php_admin_flag", ArrayType.PHP_FLAG).notDumped();
    // jfpm's own directives: not php-fpm's, so {@code -tt} prints them after php-fpm's, and only when set
    static final Directive<SharedOpcache> JFPM_SHARED_OPCACHE =
            Directive.of(POOL, "jfpm.shared_opcache", ScalarType.SHARED_OPCACHE, SharedOpcache.AUTO).notDumped();
    /** Milliseconds a request may wait for a worker before the master answers 503; 0 = forever. */
    static final Directive<Long> JFPM_QUEUE_TIMEOUT =
            Directive.of(POOL, "jfpm.queue_timeout", JfpmValueTypes.MILLIS, 0L).notDumped();
    /** Requests that may wait for a worker; one more is answered 503 at once; 0 = no bound. */
    static final Directive<Integer> JFPM_QUEUE_LIMIT =
            Directive.of(POOL, "jfpm.queue_limit", JfpmValueTypes.COUNT, 0).notDumped();
    /** Resident bytes above which a worker is replaced after its request; 0 = never. */
    static final Directive<Long> JFPM_MAX_MEMORY =
            Directive.of(POOL, "jfpm.max_memory", JfpmValueTypes.BYTES, 0L).notDumped();
    /** Milliseconds after which a worker is replaced once it is idle; 0 = never. */
    static final Directive<Long> JFPM_MAX_LIFETIME =
            Directive.of(POOL, "jfpm.max_lifetime", JfpmValueTypes.MILLIS, 0L).notDumped();

    /** jfpm's own directives, which {@code -tt} lists after php-fpm's when the configuration sets them. */
    static final List<Directive<?>> JFPM_OWN =
            List.of(JFPM_SHARED_OPCACHE, JFPM_QUEUE_TIMEOUT, JFPM_QUEUE_LIMIT, JFPM_MAX_MEMORY, JFPM_MAX_LIFETIME);

    /** Every pool directive, in {@code -tt} order. */
    static final List<Directive<?>> ALL = List.of(PREFIX, USER, GROUP, LISTEN, LISTEN_BACKLOG, LISTEN_ACL_USERS,
            LISTEN_ACL_GROUPS, LISTEN_OWNER, LISTEN_GROUP, LISTEN_MODE, LISTEN_ALLOWED_CLIENTS, PROCESS_PRIORITY,
            PROCESS_DUMPABLE, PM, PM_MAX_CHILDREN, PM_START_SERVERS, PM_MIN_SPARE_SERVERS, PM_MAX_SPARE_SERVERS,
            PM_MAX_SPAWN_RATE, PM_PROCESS_IDLE_TIMEOUT, PM_MAX_REQUESTS, PM_STATUS_PATH, PM_STATUS_LISTEN, PING_PATH,
            PING_RESPONSE, ACCESS_LOG, ACCESS_FORMAT, ACCESS_SUPPRESS_PATH, SLOWLOG, REQUEST_SLOWLOG_TIMEOUT,
            REQUEST_SLOWLOG_TRACE_DEPTH, REQUEST_TERMINATE_TIMEOUT, REQUEST_TERMINATE_TIMEOUT_TRACK_FINISHED,
            RLIMIT_FILES, RLIMIT_CORE, CHROOT, CHDIR, CATCH_WORKERS_OUTPUT, DECORATE_WORKERS_OUTPUT, CLEAR_ENV,
            SECURITY_LIMIT_EXTENSIONS, APPARMOR_HAT, ENV, PHP_VALUE, PHP_FLAG, PHP_ADMIN_VALUE, PHP_ADMIN_FLAG,
            JFPM_SHARED_OPCACHE, JFPM_QUEUE_TIMEOUT, JFPM_QUEUE_LIMIT, JFPM_MAX_MEMORY, JFPM_MAX_LIFETIME);

    /** Where an array directive's entries are kept: the flag arrays share their value array's list. */
    static Directive<List<ArrayEntry>> storageOf(Directive<List<ArrayEntry>> array) {
        if (array == PHP_FLAG) {
            return PHP_VALUE;
        }
        if (array == PHP_ADMIN_FLAG) {
            return PHP_ADMIN_VALUE;
        }
        return array;
    }

    private static Directive<String> string(String name) {
        return Directive.of(POOL, name, ScalarType.STRING, null);
    }

    private static Directive<Integer> integer(String name, int initial) {
        return Directive.of(POOL, name, ScalarType.INTEGER, initial);
    }

    private static Directive<Integer> time(String name) {
        return Directive.of(POOL, name, ScalarType.TIME, 0);
    }

    private static Directive<List<ArrayEntry>> array(String name, ArrayType type) {
        return Directive.of(POOL, name, type, List.of());
    }
}
