package org.jfpm.config;

import static org.jfpm.config.PoolDirectives.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * One pool after defaults, {@code $pool} expansion and relative-path resolution (fpm_evaluate_full_path).
 * Accessors answer the value the server uses; {@link FpmConfig#dump()} shows what php-fpm prints.
 */
public final class PoolConfig {
    private final String name;
    private final SectionValues values;

    PoolConfig(String name, SectionValues values) {
        this.name = name;
        this.values = values;
    }

    SectionValues values() {
        return values;
    }

    public String name() {
        return name;
    }

    /** The pool prefix, null when unset. */
    public Path prefix() {
        String prefix = values.get(PREFIX);
        return prefix == null ? null : Path.of(prefix);
    }

    /** Null when unset (allowed only when the master is not root, or with -R). */
    public String user() {
        return values.get(USER);
    }

    /** Null when unset: the workers then take the user's primary group. */
    public String group() {
        return values.get(GROUP);
    }

    public String listen() {
        return values.get(LISTEN);
    }

    public int listenBacklog() {
        return values.get(LISTEN_BACKLOG);
    }

    public String listenAclUsers() {
        return values.get(LISTEN_ACL_USERS);
    }

    public String listenAclGroups() {
        return values.get(LISTEN_ACL_GROUPS);
    }

    /** Null when unset: the socket keeps the master's user. */
    public String listenOwner() {
        return values.get(LISTEN_OWNER);
    }

    /** Null when unset: the master's group (or listen.owner's group when owner is a name). */
    public String listenGroup() {
        return values.get(LISTEN_GROUP);
    }

    /** Octal text, {@code 0660} by default. */
    public String listenMode() {
        return values.effective(LISTEN_MODE);
    }

    public String listenAllowedClients() {
        return values.get(LISTEN_ALLOWED_CLIENTS);
    }

    public Integer processPriority() {
        return values.get(PROCESS_PRIORITY);
    }

    public boolean processDumpable() {
        return values.get(PROCESS_DUMPABLE);
    }

    public Pm pm() {
        return values.get(PM);
    }

    public int pmMaxChildren() {
        return values.get(PM_MAX_CHILDREN);
    }

    public int pmStartServers() {
        return values.get(PM_START_SERVERS);
    }

    public int pmMinSpareServers() {
        return values.get(PM_MIN_SPARE_SERVERS);
    }

    public int pmMaxSpareServers() {
        return values.get(PM_MAX_SPARE_SERVERS);
    }

    public int pmMaxSpawnRate() {
        return values.get(PM_MAX_SPAWN_RATE);
    }

    /** Seconds. */
    public int pmProcessIdleTimeout() {
        return values.get(PM_PROCESS_IDLE_TIMEOUT);
    }

    public int pmMaxRequests() {
        return values.get(PM_MAX_REQUESTS);
    }

    public String pmStatusPath() {
        return values.get(PM_STATUS_PATH);
    }

    public String pmStatusListen() {
        return values.get(PM_STATUS_LISTEN);
    }

    public String pingPath() {
        return values.get(PING_PATH);
    }

    /** {@code pong} by default. */
    public String pingResponse() {
        return values.effective(PING_RESPONSE);
    }

    public String accessLog() {
        return values.get(ACCESS_LOG);
    }

    public String accessFormat() {
        return values.effective(ACCESS_FORMAT);
    }

    public List<String> accessSuppressPaths() {
        return values.get(ACCESS_SUPPRESS_PATH).stream().map(ArrayEntry::value).toList();
    }

    public String slowlog() {
        return values.get(SLOWLOG);
    }

    /** Seconds, 0 = off. */
    public int requestSlowlogTimeout() {
        return values.get(REQUEST_SLOWLOG_TIMEOUT);
    }

    public int requestSlowlogTraceDepth() {
        return values.get(REQUEST_SLOWLOG_TRACE_DEPTH);
    }

    /** Seconds, 0 = off. */
    public int requestTerminateTimeout() {
        return values.get(REQUEST_TERMINATE_TIMEOUT);
    }

    public boolean requestTerminateTimeoutTrackFinished() {
        return values.get(REQUEST_TERMINATE_TIMEOUT_TRACK_FINISHED);
    }

    /** 0 = keep the inherited limit. */
    public int rlimitFiles() {
        return values.get(RLIMIT_FILES);
    }

    /** -1 = unlimited, 0 = keep the inherited limit. */
    public long rlimitCore() {
        return values.get(RLIMIT_CORE);
    }

    public String chroot() {
        return values.get(CHROOT);
    }

    public String chdir() {
        return values.get(CHDIR);
    }

    public boolean catchWorkersOutput() {
        return values.get(CATCH_WORKERS_OUTPUT);
    }

    public boolean decorateWorkersOutput() {
        return values.get(DECORATE_WORKERS_OUTPUT);
    }

    /** jfpm.shared_opcache as written (auto by default); {@link SharedOpcache#applies} decides. */
    public SharedOpcache sharedOpcache() {
        return values.get(JFPM_SHARED_OPCACHE);
    }

    /** jfpm.queue_timeout in milliseconds; 0 = a request waits for a worker as long as it takes. */
    public long queueTimeoutMillis() {
        return values.get(JFPM_QUEUE_TIMEOUT);
    }

    /** jfpm.queue_limit; 0 = no bound on the requests waiting for a worker. */
    public int queueLimit() {
        return values.get(JFPM_QUEUE_LIMIT);
    }

    /** jfpm.max_memory in bytes; 0 = workers are not recycled by memory. */
    public long maxMemoryBytes() {
        return values.get(JFPM_MAX_MEMORY);
    }

    /** jfpm.max_lifetime in milliseconds; 0 = workers are not recycled by age. */
    public long maxLifetimeMillis() {
        return values.get(JFPM_MAX_LIFETIME);
    }

    public boolean clearEnv() {
        return values.get(CLEAR_ENV);
    }

    /** The allowed script extensions; empty = no check. */
    public List<String> securityLimitExtensions() {
        return ScalarType.words(values.get(SECURITY_LIMIT_EXTENSIONS));
    }

    public String apparmorHat() {
        return values.get(APPARMOR_HAT);
    }

    /** env[] as written, values unresolved ({@code $PATH} stays {@code $PATH}). */
    public SequencedMap<String, String> env() {
        return firstWins(values.get(ENV));
    }

    /**
     * env[] as the workers get it: a value starting with {@code $} is replaced by the master's
     * variable named by the rest of the value, or empty (php-fpm's fpm_env_init_child; only the
     * whole value, so {@code /bin:$PATH} stays literal).
     */
    public SequencedMap<String, String> environment(Map<String, String> masterEnv) {
        SequencedMap<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env().entrySet()) {
            String value = e.getValue();
            result.put(e.getKey(), value.startsWith("$") ? masterEnv.getOrDefault(value.substring(1), "") : value);
        }
        return result;
    }

    /** php_value[] and php_flag[] (flags as "1"/"0"), after path resolution. */
    public SequencedMap<String, String> phpValues() {
        return firstWins(values.get(PHP_VALUE));
    }

    /** php_admin_value[] and php_admin_flag[] (flags as "1"/"0"), after path resolution. */
    public SequencedMap<String, String> phpAdminValues() {
        return firstWins(values.get(PHP_ADMIN_VALUE));
    }

    /**
     * php-fpm keeps these arrays newest first and applies them in that order, each overwriting
     * the one before, so for a key written twice the first line written is the one in effect.
     */
    private static SequencedMap<String, String> firstWins(List<ArrayEntry> entries) {
        SequencedMap<String, String> map = new LinkedHashMap<>();
        for (ArrayEntry e : entries) {
            map.putIfAbsent(e.key(), e.value());
        }
        return map;
    }
}
