package org.jfpm.config;

import java.util.List;

/** Loads and checks php-fpm.conf as {@code php-fpm -t} does. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static FpmConfig load(ConfigOptions options) throws ConfigException {
        throw new ConfigException(List.of(ConfigMessage.error("configuration loading is not implemented yet"),
                ConfigMessage.error("FPM initialization failed")));
    }
}
