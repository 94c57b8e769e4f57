package org.jfpm.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads php-fpm.conf and its includes line by line into the [global] values and the pools, as
 * php-fpm's fpm_conf_load_ini_file does. Section state carries across includes both ways.
 *
 * <p>The line counter imitates php-fpm's single shared counter: it restarts at 0 for each file
 * and is not restored when an include returns, so the includer's later lines are numbered on from
 * the included file's line count plus one (observed with php-fpm 8.2: an error on line 7 after an
 * include of a 3-line file at line 5 is reported as line 6).
 */
final class ConfigFileReader {
    /** php-fpm refuses a sixth nested file (the main file counts as the first). */
    private static final int MAX_INCLUDE_DEPTH = 5;

    private final IniLineParser lineParser;
    private final Path includePrefix;
    private final SectionValues global = new SectionValues();
    private final Map<String, PoolSection> pools = new LinkedHashMap<>();
    private final List<ConfigMessage> messages;
    private PoolSection current;
    private int lineCounter;
    private int depth;

    /**
     * @param includePrefix base of relative include patterns: the -p prefix, else /usr
     * @param messages      receives non-fatal lines (include warnings) in print order
     */
    ConfigFileReader(UnaryOperator<String> variables, Path includePrefix, List<ConfigMessage> messages) {
        this.lineParser = new IniLineParser(variables);
        this.includePrefix = includePrefix;
        this.messages = messages;
    }

    SectionValues global() {
        return global;
    }

    List<PoolSection> pools() {
        return new ArrayList<>(pools.values());
    }

    /** Reads one file (the main file, or an included one). */
    void read(String file) throws LoadFailure {
        depth++;
        try {
            if (depth > MAX_INCLUDE_DEPTH) {
                throw new LoadFailure(ConfigMessage.error("failed to include more than 5 files recursively"));
            }
            String content = load(file);
            lineCounter = 0;
            int start = 0;
            while (true) {
                int newline = content.indexOf('\n', start);
                String line = newline < 0 ? content.substring(start) : content.substring(start, newline);
                lineCounter++;
                readLine(file, line);
                if (newline < 0) {
                    return;
                }
                start = newline + 1;
            }
        } finally {
            depth--;
        }
    }

    private static String load(String file) throws LoadFailure {
        try {
            return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw openFailure(file, "No such file or directory (2)");
        } catch (AccessDeniedException e) {
            throw openFailure(file, "Permission denied (13)");
        } catch (IOException | RuntimeException e) {
            throw openFailure(file, Files.isDirectory(Path.of(file)) ? "Is a directory (21)" : String.valueOf(e.getMessage()));
        }
    }

    private static LoadFailure openFailure(String file, String reason) {
        return new LoadFailure(ConfigMessage.error("failed to open configuration file '" + file + "': " + reason));
    }

    private void readLine(String file, String line) throws LoadFailure {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        int nul = line.indexOf('\0');
        if (nul >= 0) {
            line = line.substring(0, nul); // php-fpm hands the parser a C string
        }
        List<IniStatement> statements;
        try {
            statements = lineParser.parse(line);
        } catch (IniSyntaxException e) {
            // printed by PHP's own error handler, outside php-fpm's log format
            throw new LoadFailure(ConfigMessage.verbatim("PHP:  " + e.getMessage()));
        }
        // instanceof, not a pattern switch: the switch's bootstrap (SwitchBootstraps) takes 5-20 ms
        // cold, and it would be the only one on the master's way to its first request
        for (IniStatement statement : statements) {
            if (statement instanceof IniStatement.Section s) {
                openSection(s.name());
            } else if (statement instanceof IniStatement.Entry e) {
                readEntry(file, e);
            } else if (statement instanceof IniStatement.ArrayItem a) {
                readArrayItem(file, a);
            }
        }
    }

    private void openSection(String name) {
        if (name.equalsIgnoreCase("global")) {
            current = null;
            return;
        }
        current = pools.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new PoolSection(name, new SectionValues()));
    }

    private void readEntry(String file, IniStatement.Entry entry) throws LoadFailure {
        if (entry.value() == null) {
            throw atLine(file, "value is NULL for a ZEND_INI_PARSER_ENTRY");
        }
        if (entry.key().equals("include")) {
            include(file, entry.value());
            return;
        }
        Directive<?> directive = DirectiveLookup.scalar(current == null ? Scope.GLOBAL : Scope.POOL, entry.key());
        if (directive == null) {
            throw atLine(file, "unknown entry '" + entry.key() + "'");
        }
        set(file, directive, entry.value());
    }

    @SuppressWarnings("unchecked")
    private <T> void set(String file, Directive<T> directive, String value) throws LoadFailure {
        ScalarType<T> type = (ScalarType<T>) directive.type();
        try {
            T parsed = type.parse(value, current == null ? null : current.name());
            section().set(directive, parsed);
        } catch (InvalidValueException e) {
            throw atLine(file, "unable to parse value for entry '" + directive.name() + "': " + e.getMessage());
        }
    }

    private void readArrayItem(String file, IniStatement.ArrayItem item) throws LoadFailure {
        if (item.value() == null) {
            throw new LoadFailure(ConfigMessage.verbatim(
                    "PHP:  syntax error, unexpected END_OF_LINE, expecting '=' in Unknown on line 2"));
        }
        if (current == null) {
            throw atLine(file, "Array are not allowed in the global section");
        }
        Directive<List<ArrayEntry>> directive = DirectiveLookup.array(item.key());
        if (directive == null) {
            throw atLine(file, "unknown directive '" + item.key() + "'");
        }
        try {
            ArrayEntry entry = ((ArrayType) directive.type()).parse(directive.name(), item.offset(), item.value(),
                    current.name());
            current.values().append(PoolDirectives.storageOf(directive), entry);
        } catch (InvalidValueException e) {
            throw atLine(file, e.getMessage());
        }
    }

    private void include(String file, String pattern) throws LoadFailure {
        String absolute = pattern.startsWith("/") ? pattern : includePrefix + "/" + pattern;
        int includeLine = lineCounter;
        IncludeGlob.Result result = IncludeGlob.expand(absolute);
        switch (result) {
            case IncludeGlob.Result.Aborted a -> throw new LoadFailure(ConfigMessage.error(
                    "Unable to globalize '" + absolute + "' (ret=2) from " + file + " at line " + includeLine + "."));
            case IncludeGlob.Result.NoMatch n -> messages.add(ConfigMessage.warning(
                    "Nothing matches the include pattern '" + absolute + "' from " + file + " at line "
                            + includeLine + "."));
            case IncludeGlob.Result.Matches m -> {
                for (String included : m.files()) {
                    try {
                        read(included);
                    } catch (LoadFailure failure) {
                        // php-fpm prints the shared line counter, i.e. where the inner failure happened
                        throw failure.then(ConfigMessage.error(
                                "Unable to include " + included + " from " + file + " at line " + lineCounter));
                    }
                }
            }
        }
    }

    private SectionValues section() {
        return current == null ? global : current.values();
    }

    private LoadFailure atLine(String file, String message) {
        return new LoadFailure(ConfigMessage.error("[" + file + ":" + lineCounter + "] " + message));
    }
}
