package org.jfpm.config;

/** C's atoi(3) as glibc does it (strtol, then truncated to int), because php-fpm converts with it. */
final class CNumbers {
    private CNumbers() {
    }

    static int atoi(String text) {
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
        long value = 0;
        boolean saturated = false;
        while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            if (!saturated) {
                value = value * 10 + (text.charAt(i) - '0');
                if (value < 0 || value > Long.MAX_VALUE / 10 - 10) {
                    saturated = true; // strtol clamps to LONG_MAX / LONG_MIN
                }
            }
            i++;
        }
        if (saturated) {
            return (int) (negative ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        return (int) (negative ? -value : value);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 11;
    }
}
