package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;

/** Internal: a fatal problem while reading or checking; unwinds to {@link ConfigLoader}, collecting lines. */
final class LoadFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ConfigMessage> lines = new ArrayList<>();

    LoadFailure(ConfigMessage first) {
        super(first.text(), null, false, false);
        lines.add(first);
    }

    /** Adds a line printed after the ones already collected (e.g. the includer's "Unable to include"). */
    LoadFailure then(ConfigMessage next) {
        lines.add(next);
        return this;
    }

    List<ConfigMessage> lines() {
        return lines;
    }
}
