package org.jfpm.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.jfpm.config.ConfigException;
import org.jfpm.config.ConfigLoader;
import org.jfpm.config.ConfigOptions;
import org.jfpm.config.FpmConfig;

/** The configuration jfpm's own commands (ping, top) read: the master's, from -y and -p. */
final class CommandConfig {
    private CommandConfig() {}

    /** The configuration, or null after printing why not, each line prefixed with {@code command}. */
    static FpmConfig load(Path conf, Path prefix, String command, PrintStream err) {
        try {
            return ConfigLoader.load(new ConfigOptions(conf, prefix, null, false, true, null, false, List.of()));
        } catch (ConfigException e) {
            e.messages().forEach(m -> err.println(command + ": " + m.text()));
            return null;
        }
    }
}
