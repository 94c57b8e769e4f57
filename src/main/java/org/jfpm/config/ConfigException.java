package org.jfpm.config;

import java.util.List;

/**
 * The configuration could not be loaded. {@link #messages()} holds every line php-fpm would
 * print for this failure, in print order, ending with {@code FPM initialization failed}.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigMessage> messages;

    public ConfigException(List<ConfigMessage> messages) {
        super(messages.isEmpty() ? "configuration failed" : messages.getFirst().text());
        this.messages = List.copyOf(messages);
    }

    public List<ConfigMessage> messages() {
        return messages;
    }
}
