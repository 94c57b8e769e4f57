package org.jfpm.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfpm.os.Accounts;

/**
 * Loads and checks php-fpm.conf exactly as far as {@code php-fpm -t} does: read (with includes),
 * post-process [global] then every pool, then resolve the pools' accounts. Each stage fails with
 * php-fpm's closing lines for that stage (sapi/fpm/fpm/fpm_conf.c, fpm_conf_init_main, and fpm.c, fpm_init).
 */
public final class ConfigLoader {
    static final Path DEFAULT_CONFIG = Path.of("/etc/php/8.2/fpm/php-fpm.conf");

    private ConfigLoader() {
    }

    public static FpmConfig load(ConfigOptions options) throws ConfigException {
        return load(options, System.getenv(), Accounts.runningAsRoot());
    }

    /** @param environment answers {@code ${NAME}}; @param root whether the master runs as root */
    static FpmConfig load(ConfigOptions options, Map<String, String> environment, boolean root)
            throws ConfigException {
        Path file = configFile(options);
        String prefix = options.prefix() == null ? null : options.prefix().toString();
        PathResolution paths = new PathResolution(prefix);
        List<ConfigMessage> messages = new ArrayList<>();
        Path includeBase = Path.of(prefix == null ? PathResolution.COMPILED_PREFIX : prefix);
        ConfigFileReader reader = new ConfigFileReader(environment::get, includeBase, messages);
        try {
            reader.read(file.toString());
        } catch (LoadFailure failure) {
            throw fail(messages, failure, "failed to load configuration file '" + file + "'");
        }
        SectionValues global = reader.global();
        List<PoolSection> pools = reader.pools();
        try {
            GlobalPostProcess.process(global, options, paths);
            if (pools.isEmpty()) {
                throw new LoadFailure(ConfigMessage.error(
                        "No pool defined. at least one pool section must be specified in config file"));
            }
            PoolPostProcess poolProcess = new PoolPostProcess(paths, root, options.allowRoot(),
                    global.get(GlobalDirectives.EVENTS_MECHANISM), messages);
            for (int i = 0; i < pools.size(); i++) {
                poolProcess.process(pools.get(i), pools.subList(0, i));
            }
        } catch (LoadFailure failure) {
            throw fail(messages, failure, "failed to post process the configuration");
        }
        List<String> dump = ConfigDump.render(global, pools);
        try {
            AccountCheck.check(pools, root || options.test());
        } catch (LoadFailure failure) {
            throw fail(messages, failure, null);
        }
        messages.addAll(JfpmDifferences.notices(global, pools));
        List<PoolConfig> poolConfigs = new ArrayList<>();
        for (PoolSection p : pools) {
            poolConfigs.add(new PoolConfig(p.name(), p.values()));
        }
        return new FpmConfig(file, options, new GlobalConfig(global, options.daemonize()), poolConfigs, messages,
                dump, StartupNotices.of(global, pools, root));
    }

    /** -y, else PREFIX/etc/php-fpm.conf with -p, else Debian's default. */
    static Path configFile(ConfigOptions options) {
        if (options.configFile() != null) {
            return options.configFile();
        }
        if (options.prefix() != null) {
            return Path.of(options.prefix().toString(), "etc", "php-fpm.conf");
        }
        return DEFAULT_CONFIG;
    }

    private static ConfigException fail(List<ConfigMessage> before, LoadFailure failure, String stageLine) {
        List<ConfigMessage> lines = new ArrayList<>(before);
        lines.addAll(failure.lines());
        if (stageLine != null) {
            lines.add(ConfigMessage.error(stageLine));
        }
        lines.add(ConfigMessage.error("FPM initialization failed"));
        return new ConfigException(lines);
    }
}
