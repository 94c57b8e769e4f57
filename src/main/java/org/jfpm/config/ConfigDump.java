package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code -tt} listing (fpm_conf_dump): walks the directive registry, so every directive
 * appears in php-fpm's order; each section ends with a line of one space.
 */
final class ConfigDump {
    private ConfigDump() {
    }

    static List<String> render(SectionValues global, List<PoolSection> pools) {
        List<String> lines = new ArrayList<>();
        lines.add("[global]");
        section(lines, GlobalDirectives.ALL, global);
        for (PoolSection pool : pools) {
            lines.add("[" + pool.name() + "]");
            section(lines, PoolDirectives.ALL, pool.values());
            jfpmOwn(lines, pool.values());
        }
        return lines;
    }

    private static void section(List<String> lines, List<Directive<?>> directives, SectionValues values) {
        for (Directive<?> d : directives) {
            if (d.dumped()) {
                lines.addAll(linesOf(d, values));
            }
        }
        lines.add(" ");
    }

    /** jfpm's own directives that the pool sets, after php-fpm's section (which ends with its blank line). */
    private static void jfpmOwn(List<String> lines, SectionValues values) {
        List<String> own = new ArrayList<>();
        for (Directive<?> d : PoolDirectives.JFPM_OWN) {
            if (values.isSet(d)) {
                own.addAll(linesOf(d, values));
            }
        }
        if (!own.isEmpty()) {
            lines.addAll(lines.size() - 1, own);
        }
    }

    private static <T> List<String> linesOf(Directive<T> d, SectionValues values) {
        return d.type().dumpLines(d.name(), values.get(d));
    }
}
