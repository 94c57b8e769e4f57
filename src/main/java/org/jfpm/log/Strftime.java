package org.jfpm.log;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * strftime(3) in the C locale, for the access log's {@code %{fmt}t} and
 * {@code %{fmt}T} (php-fpm hands the modifier to strftime). The common
 * conversions are supported; an unknown one is written as it stands.
 */
final class Strftime {
    private Strftime() {
    }

    private static final DateTimeFormatter OFFSET = DateTimeFormatter.ofPattern("xx", Locale.ROOT);

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder out = new StringBuilder(pattern.length() + 16);
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char k = pattern.charAt(++i);
            switch (k) {
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'C' -> two(out, t.getYear() / 100);
                case 'd' -> two(out, t.getDayOfMonth());
                case 'e' -> out.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
                case 'D' -> out.append(format("%m/%d/%y", t));
                case 'F' -> out.append(format("%Y-%m-%d", t));
                case 'G' -> out.append(t.get(IsoFields.WEEK_BASED_YEAR));
                case 'H' -> two(out, t.getHour());
                case 'I' -> two(out, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
                case 'j' -> out.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
                case 'k' -> out.append(t.getHour() < 10 ? " " : "").append(t.getHour());
                case 'l' -> {
                    int h = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
                    out.append(h < 10 ? " " : "").append(h);
                }
                case 'm' -> two(out, t.getMonthValue());
                case 'M' -> two(out, t.getMinute());
                case 'n' -> out.append('\n');
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'r' -> out.append(format("%I:%M:%S %p", t));
                case 'R' -> out.append(format("%H:%M", t));
                case 's' -> out.append(t.toEpochSecond());
                case 'S' -> two(out, t.getSecond());
                case 't' -> out.append('\t');
                case 'T' -> out.append(format("%H:%M:%S", t));
                case 'u' -> out.append(t.getDayOfWeek().getValue());
                case 'V' -> two(out, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
                case 'y' -> two(out, t.getYear() % 100);
                case 'Y' -> out.append(t.getYear());
                case 'z' -> out.append(OFFSET.format(t));
                case 'Z' -> out.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'c' -> out.append(format("%a %b %e %H:%M:%S %Y", t));
                case 'x' -> out.append(format("%m/%d/%y", t));
                case 'X' -> out.append(format("%H:%M:%S", t));
                case '%' -> out.append('%');
                default -> out.append('%').append(k);
            }
        }
        return out.toString();
    }

    private static void two(StringBuilder out, int v) {
        if (v < 10) {
            out.append('0');
        }
        out.append(v);
    }
}
