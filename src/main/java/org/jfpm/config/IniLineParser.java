package org.jfpm.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Splits one line of php-fpm.conf into statements the way the Zend INI parser (normal mode) does
 * when php-fpm feeds it a single line: {@code [section]}, {@code key = value}, {@code key[offset] = value},
 * {@code ;} comments. Values are lexed by {@link IniValueParser}.
 */
final class IniLineParser {
    private final UnaryOperator<String> variables;

    /** @param variables resolves {@code ${NAME}}; answers null or "" when NAME is unknown */
    IniLineParser(UnaryOperator<String> variables) {
        this.variables = variables;
    }

    List<IniStatement> parse(String line) throws IniSyntaxException {
        List<IniStatement> statements = new ArrayList<>();
        String rest = line;
        while (true) {
            rest = stripLeadingBlanks(rest);
            if (rest.isEmpty() || rest.startsWith(";") || rest.startsWith("\r")) {
                return statements;
            }
            if (rest.charAt(0) == '[') {
                int close = rest.indexOf(']');
                if (close < 0) {
                    throw new IniSyntaxException("end of file, expecting ']'", false);
                }
                statements.add(new IniStatement.Section(expandVariables(rest.substring(1, close))));
                rest = rest.substring(close + 1); // "[a]b" goes on with "b" (observed)
                continue;
            }
            statements.add(parseEntry(rest));
            return statements;
        }
    }

    private IniStatement parseEntry(String text) throws IniSyntaxException {
        int i = 0;
        while (i < text.length() && isKeyChar(text.charAt(i))) {
            i++;
        }
        String key = text.substring(0, i).strip();
        if (key.isEmpty()) {
            throw new IniSyntaxException(describe(text.charAt(0)), false);
        }
        String offset = null;
        if (i < text.length() && text.charAt(i) == '[') {
            int close = text.indexOf(']', i);
            if (close < 0) {
                throw new IniSyntaxException("end of file, expecting ']'", false);
            }
            offset = expandVariables(text.substring(i + 1, close)).strip();
            i = close + 1;
        }
        String rest = stripLeadingBlanks(text.substring(i));
        if (rest.isEmpty() || rest.startsWith(";")) {
            return offset == null ? new IniStatement.Entry(key, null) : new IniStatement.ArrayItem(key, offset, null);
        }
        if (rest.charAt(0) != '=') {
            throw new IniSyntaxException(describe(rest.charAt(0)), false);
        }
        String value = new IniValueParser(rest.substring(1), variables).parse();
        return offset == null ? new IniStatement.Entry(key, value) : new IniStatement.ArrayItem(key, offset, value);
    }

    /** {@code ${NAME}} in section names and offsets. */
    private String expandVariables(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int start = text.indexOf("${", i);
            int end = start < 0 ? -1 : text.indexOf('}', start);
            if (end < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, start);
            String value = variables.apply(text.substring(start + 2, end));
            out.append(value == null ? "" : value);
            i = end + 1;
        }
        return out.toString();
    }

    /** Characters of an INI key: anything but {@code = \n \r \t ; & | ^ $ ~ ( ) { } ! " [ ]} and NUL. */
    private static boolean isKeyChar(char c) {
        return "=\n\r\t;&|^$~(){}!\"[]\0".indexOf(c) < 0;
    }

    static String describe(char c) {
        return "'" + c + "'";
    }

    private static String stripLeadingBlanks(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return s.substring(i);
    }
}
