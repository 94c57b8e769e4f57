package org.jfpm.config;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The text after {@code =} as the Zend INI parser (normal mode) turns it into a value, matching
 * what php-fpm 8.2 was observed to receive:
 * <ul>
 * <li>pieces are concatenated: bare words, {@code "double quoted"} ({@code ${VAR}} expanded,
 *     {@code \" \\ \$} unescaped), {@code 'single quoted'} (raw), {@code ${VAR}};</li>
 * <li>blanks inside bare text are kept, blanks next to a double-quoted piece are swallowed
 *     ({@code a "b" c} is {@code abc}), the value's ends are trimmed;</li>
 * <li>a value that is only {@code yes/on/true} is "1", only {@code no/off/false/none/null} is "";
 *     such a keyword next to anything else is a syntax error;</li>
 * <li>{@code E_*} constants are replaced by their values;</li>
 * <li>{@code | & ^ ~ ! ( )} form an integer expression (operands converted by strtol base 0).</li>
 * </ul>
 */
final class IniValueParser {
    private static final String OPERATORS = "|&^~!()";

    private final String text;
    private final UnaryOperator<String> variables;
    private int pos;

    IniValueParser(String text, UnaryOperator<String> variables) {
        this.text = text;
        this.variables = variables;
    }

    String parse() throws IniSyntaxException {
        skipBlanks();
        if (atEnd()) {
            return "";
        }
        String keyword = keywordValue();
        if (keyword != null) {
            return keyword;
        }
        String value = expression();
        if (!atEnd()) {
            throw unexpected();
        }
        return value;
    }

    /** A value that is exactly one of the INI keywords (plus blanks and a comment). */
    private String keywordValue() throws IniSyntaxException {
        int start = pos;
        String word = bareWord();
        if (word.isEmpty()) {
            return null;
        }
        String lower = word.toLowerCase(Locale.ROOT);
        String value = switch (lower) {
            case "yes", "on", "true" -> "1";
            case "no", "off", "false", "none", "null" -> "";
            default -> null;
        };
        if (value == null) {
            pos = start;
            return null;
        }
        skipBlanks();
        if (!atEnd()) {
            throw unexpected();
        }
        return value;
    }

    private String expression() throws IniSyntaxException {
        String left = unary();
        while (!atEnd() && "|&^".indexOf(text.charAt(pos)) >= 0) {
            char op = text.charAt(pos++);
            String right = unary();
            long a = CNumbers.strtol(left, 0);
            long b = CNumbers.strtol(right, 0);
            left = Long.toString(switch (op) {
                case '|' -> a | b;
                case '&' -> a & b;
                default -> a ^ b;
            });
        }
        return left;
    }

    private String unary() throws IniSyntaxException {
        skipBlanks(); // blanks between an operator and its operand are not part of the operand
        if (atEnd()) {
            throw new IniSyntaxException("END_OF_LINE", true);
        }
        char c = text.charAt(pos);
        if (c == '~' || c == '!') {
            pos++;
            long operand = CNumbers.strtol(unary(), 0);
            return Long.toString(c == '~' ? ~operand : operand == 0 ? 1 : 0);
        }
        if (c == '(') {
            pos++;
            String inner = expression();
            if (atEnd()) {
                throw new IniSyntaxException("END_OF_LINE, expecting '^' or '|' or '&' or ')'", true);
            }
            if (text.charAt(pos) != ')') {
                throw unexpected();
            }
            pos++;
            return inner;
        }
        return stringList();
    }

    /** Concatenated bare words, blanks, quoted strings and ${VAR}; trailing blanks of the value trimmed. */
    private String stringList() throws IniSyntaxException {
        StringBuilder out = new StringBuilder();
        int pieces = 0;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (c == '"') {
                trimTrailingBlanks(out); // the scanner swallows blanks before a double quote
                out.append(doubleQuoted());
                skipBlanks(); // ...and after it
            } else if (c == '\'') {
                String raw = singleQuoted(pieces == 0);
                if (raw == null) {
                    pos = text.length(); // an unclosed quote after other text drops the rest (observed)
                    break;
                }
                out.append(raw);
            } else if (c == '$' && text.startsWith("${", pos)) {
                out.append(variable());
            } else if (c == ' ' || c == '\t') {
                int start = pos;
                skipBlanks();
                out.append(text, start, pos);
            } else if (OPERATORS.indexOf(c) >= 0 || c == '=') {
                if (pieces == 0) {
                    throw unexpected();
                }
                break;
            } else {
                String word = bareWord();
                if (isKeyword(word)) {
                    throw new IniSyntaxException(keywordToken(word), false);
                }
                out.append(Constants.valueOf(word));
            }
            pieces++;
        }
        if (atEnd()) {
            trimTrailingBlanks(out);
        }
        return out.toString();
    }

    private String doubleQuoted() throws IniSyntaxException {
        pos++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new IniSyntaxException(
                        "end of file, expecting TC_DOLLAR_CURLY or TC_QUOTED_STRING or '\"'", true);
            }
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return out.toString();
            }
            if (c == '\\' && pos + 1 < text.length() && "\"\\$".indexOf(text.charAt(pos + 1)) >= 0) {
                out.append(text.charAt(pos + 1));
                pos += 2;
            } else if (c == '$' && text.startsWith("${", pos)) {
                out.append(variable());
            } else {
                out.append(c);
                pos++;
            }
        }
    }

    /** A raw '...' string; null when it is not closed and other text came first. */
    private String singleQuoted(boolean first) throws IniSyntaxException {
        int close = text.indexOf('\'', pos + 1);
        if (close < 0) {
            if (first) {
                throw new IniSyntaxException("end of file", false);
            }
            return null;
        }
        String raw = text.substring(pos + 1, close);
        pos = close + 1;
        return raw;
    }

    private String variable() throws IniSyntaxException {
        int close = text.indexOf('}', pos);
        if (close < 0 || close == pos + 2) {
            throw new IniSyntaxException("end of file, expecting TC_VARNAME", false);
        }
        String value = variables.apply(text.substring(pos + 2, close));
        pos = close + 1;
        return value == null ? "" : value;
    }

    /** Bare text up to a blank, quote, operator, '=', ';' or ${. */
    private String bareWord() {
        int start = pos;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '=' || OPERATORS.indexOf(c) >= 0
                    || c == '$' && text.startsWith("${", pos)) {
                break;
            }
            pos++;
        }
        return text.substring(start, pos);
    }

    private IniSyntaxException unexpected() {
        char c = text.charAt(pos);
        if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '$' || c == '=' || OPERATORS.indexOf(c) >= 0) {
            return new IniSyntaxException(IniLineParser.describe(c), false);
        }
        String word = bareWord();
        return new IniSyntaxException(isKeyword(word) ? keywordToken(word)
                : word.matches("[A-Za-z_][A-Za-z0-9_]*") ? "TC_CONSTANT" : "TC_STRING", false);
    }

    private static boolean isKeyword(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "yes", "on", "true", "no", "off", "false", "none", "null" -> true;
            default -> false;
        };
    }

    private static String keywordToken(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "yes", "on", "true" -> "BOOL_TRUE";
            case "null" -> "NULL_NULL";
            default -> "BOOL_FALSE";
        };
    }

    /** End of the value: end of text or a ';' comment. */
    private boolean atEnd() {
        return pos >= text.length() || text.charAt(pos) == ';' || text.charAt(pos) == '\n'
                || text.charAt(pos) == '\r';
    }

    private void skipBlanks() {
        while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private static void trimTrailingBlanks(StringBuilder out) {
        int n = out.length();
        while (n > 0 && (out.charAt(n - 1) == ' ' || out.charAt(n - 1) == '\t')) {
            n--;
        }
        out.setLength(n);
    }
}
