package org.jfpm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/** No cycle between jfpm's packages, as the JDK's jdeps sees the compiled classes. */
class PackageCyclesTest {
    private static final Pattern EDGE = Pattern.compile("^\\s+org\\.jfpm\\.(\\w+)\\s+->\\s+org\\.jfpm\\.(\\w+)\\s");

    @Test
    void packagesDependOnEachOtherWithoutACycle() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "-verbose:package",
                "target/classes");
        assertThat(rc).as(out.toString()).isZero();
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                uses.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        assertThat(uses).as("jdeps found jfpm's packages\n" + out).containsKeys("front", "pool", "master");
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            findCycle(start, start, uses, new HashSet<>(), new ArrayList<>(List.of(start)), cycles);
        }
        assertThat(cycles).as("package cycles; dependencies: " + uses).isEmpty();
    }

    private static void findCycle(String start, String at, Map<String, Set<String>> uses, Set<String> seen,
            List<String> path, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (seen.add(next)) {
                path.add(next);
                findCycle(start, next, uses, seen, path, cycles);
                path.removeLast();
            }
        }
    }
}
