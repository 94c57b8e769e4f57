package org.jfpm.config;

/** C's number conversions as glibc does them, because php-fpm and the INI parser convert with them. */
final class CNumbers {
    private CNumbers() {
    }

    /** atoi(3): strtol base 10, then truncated to int (php-fpm's integer and time directives). */
    static int atoi(String text) {
        return (int) strtol(text, 10);
    }

    /**
     * strtol(3) with base 10 or 0 (0 = C prefixes: {@code 0x} hex, {@code 0} octal), as the INI
     * parser uses it for {@code | & ^ ~ !}. Leading blanks and a sign are accepted; conversion stops at
     * the first non-digit; out-of-range results clamp to Long.MIN_VALUE / Long.MAX_VALUE.
     */
    static long strtol(String text, int base) {
        int i = 0;
        int n = text.length();
        while (i < n && isCSpace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = base;
        if (base == 0) {
            radix = 10;
            if (i + 1 < n && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                    && i + 2 < n && Character.digit(text.charAt(i + 2), 16) >= 0) {
                radix = 16;
                i += 2;
            } else if (i < n && text.charAt(i) == '0') {
                radix = 8;
            }
        }
        long value = 0;
        boolean overflow = false;
        for (; i < n; i++) {
            int digit = Character.digit(text.charAt(i), radix);
            if (digit < 0 || text.charAt(i) > 0x7f) {
                break;
            }
            if (value > (Long.MAX_VALUE - digit) / radix) {
                overflow = true;
            } else {
                value = value * radix + digit;
            }
        }
        if (overflow) {
            return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return negative ? -value : value;
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 11;
    }
}
