package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A status page's OpenMetrics text as the Prometheus project's own parser reads it
 * (Debian's python3-prometheus-client, driven by src/test/resources/tools/openmetrics-parse.py):
 * php-fpm's families through its Prometheus text parser, jfpm's through its strict
 * OpenMetrics parser. A page either parser refuses fails the test with the parser's message.
 */
public final class OpenMetricsPage {
    /** One sample: its full name ({@code _bucket}, {@code _total} ...), labels and value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One family: its name, type and samples. */
    public record Family(String name, String type, List<Sample> samples) {
    }

    private final Map<String, Family> families;
    private final Map<String, Family> strict;

    private OpenMetricsPage(Map<String, Family> families, Map<String, Family> strict) {
        this.families = families;
        this.strict = strict;
    }

    public static OpenMetricsPage parse(String text) {
        String script = ProjectFiles.root().resolve("src/test/resources/tools/openmetrics-parse.py").toString();
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", script).start();
            p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the OpenMetrics parser did not finish");
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("the Prometheus parser refused the page: " + err + "\n" + text);
            }
            Map<String, Family> all = new LinkedHashMap<>();
            Map<String, Family> om = new LinkedHashMap<>();
            Family current = null;
            for (String line : out.split("\n")) {
                String[] f = line.split("\t");
                switch (f[0]) {
                    case "F", "O" -> {
                        current = new Family(f[1], f[2], new ArrayList<>());
                        (f[0].equals("F") ? all : om).put(f[1], current);
                    }
                    case "S" -> {
                        Map<String, String> labels = new TreeMap<>();
                        for (int i = 3; i < f.length; i++) {
                            int eq = f[i].indexOf('=');
                            labels.put(f[i].substring(0, eq), f[i].substring(eq + 1));
                        }
                        current.samples().add(new Sample(f[1], labels, Double.parseDouble(f[2])));
                    }
                    default -> {
                    }
                }
            }
            return new OpenMetricsPage(all, om);
        } catch (IOException e) {
            throw new AssertionError("cannot run /usr/bin/python3 (apt-get install python3-prometheus-client)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A family as the Prometheus text parser read it (php-fpm's phpfpm_*), or null. */
    public Family family(String name) {
        return families.get(name);
    }

    /** A jfpm_* family as the strict OpenMetrics parser read it, or null. */
    public Family openMetricsFamily(String name) {
        return strict.get(name);
    }

    /** The value of the strict family's sample {@code sample} with exactly {@code labels} (name=value pairs). */
    public double value(String family, String sample, String... labels) {
        Family f = strict.get(family);
        if (f == null) {
            throw new AssertionError("no OpenMetrics family " + family + " in " + strict.keySet());
        }
        Map<String, String> wanted = new TreeMap<>();
        for (String l : labels) {
            wanted.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
        }
        for (Sample s : f.samples()) {
            if (s.name().equals(sample) && s.labels().equals(wanted)) {
                return s.value();
            }
        }
        throw new AssertionError("no sample " + sample + wanted + " in " + f);
    }
}
