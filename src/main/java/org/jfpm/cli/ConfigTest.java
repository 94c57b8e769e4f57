package org.jfpm.cli;

import org.jfpm.config.FpmConfig;
import org.jfpm.log.Log;

/**
 * {@code -t} and {@code -tt} (php-fpm's fpm_conf_init_main in sapi/fpm/fpm/fpm_conf.c, with
 * fpm_conf_dump for -tt): the loader's verdict, and with -tt the effective configuration.
 */
final class ConfigTest {
    private ConfigTest() {}

    static int report(FpmConfig config, boolean dump) {
        config.messages().forEach(m -> Log.log(m.level(), m.text()));
        if (dump) {
            config.dump().forEach(Log::notice);
        }
        Log.notice("configuration file " + config.file() + " test is successful\n");
        return 0;
    }
}
