package org.jfpm.config;

import java.nio.file.Path;
import java.util.List;

/** A loaded, checked configuration: what {@code php-fpm -t} accepts. */
public final class FpmConfig {
    private final Path file;
    private final GlobalConfig global;
    private final List<PoolConfig> pools;
    private final List<ConfigMessage> messages;
    private final List<String> dump;
    private final ConfigOptions options;

    FpmConfig(Path file, ConfigOptions options, GlobalConfig global, List<PoolConfig> pools,
              List<ConfigMessage> messages, List<String> dump) {
        this.file = file;
        this.options = options;
        this.global = global;
        this.pools = List.copyOf(pools);
        this.messages = List.copyOf(messages);
        this.dump = List.copyOf(dump);
    }

    /** The configuration file as given (a relative -y stays relative, as php-fpm prints it). */
    public Path file() {
        return file;
    }

    /** The command-line options this configuration was loaded with (-c, -n, -d are for the workers). */
    public ConfigOptions options() {
        return options;
    }

    public GlobalConfig global() {
        return global;
    }

    /** Pools in the order their sections first appear. */
    public List<PoolConfig> pools() {
        return pools;
    }

    /** Non-fatal NOTICE/WARNING lines produced while loading, in print order. */
    public List<ConfigMessage> messages() {
        return messages;
    }

    /** The {@code -tt} lines, each the text after {@code NOTICE: }. */
    public List<String> dump() {
        return dump;
    }
}
