package org.jfpm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * php-fpm's command line, read as php-fpm reads it: php_getopt (main/getopt.c) over the
 * option table of sapi/fpm/fpm/fpm_main.c, with main()'s switch deciding what each option
 * does. What that means for a user:
 * <ul>
 * <li>short options cluster ({@code -tR}); a value follows as the next word, glued on
 *     ({@code -yfile}) or after {@code =} ({@code -y=file}); a value is taken even when it
 *     starts with a dash ({@code -y -t} names the file {@code -t});
 * <li>long options are matched exactly, never abbreviated; their value is {@code --name=value}
 *     or the next word; a long option without a value ignores {@code =anything};
 * <li>{@code -h}, {@code -?}, {@code --help} and {@code --usage} print the usage and exit 0;
 *     {@code -v} and {@code -m} act the moment they are read, with the options before them;
 *     {@code -i} acts after the whole line is read; an unknown option or a missing value
 *     prints the usage and exits 64 when it is reached, so {@code -h -Z} exits 0 and
 *     {@code -Z -h} 64;
 * <li>the options end at the first word not starting with a dash, at {@code -} alone, or
 *     after {@code --}; any word left then prints the usage and exits 64.
 * </ul>
 *
 * @param action     what the command line asks for
 * @param phpIni     -c, the last one given
 * @param noPhpIni   -n
 * @param defines    each -d, in order
 * @param prefix     -p
 * @param pid        -g
 * @param fpmConfig  -y
 * @param test       how many -t (-tt dumps the configuration)
 * @param forceStderr -O
 * @param allowRoot  -R
 * @param daemonize  -D true, -F false, the last one given; null when neither was
 */
record Options(Action action, Path phpIni, boolean noPhpIni, List<String> defines, Path prefix, Path pid,
               Path fpmConfig, int test, boolean forceStderr, boolean allowRoot, Boolean daemonize) {

    enum Action {
        /** Run the master, or test the configuration with -t. */
        RUN,
        /** -h, -?, --help, --usage: the usage, exit 0. */
        HELP,
        /** An unknown option, a missing value or a word left over: the usage, exit 64. */
        USAGE_ERROR,
        /** -v */
        VERSION,
        /** -m */
        MODULES,
        /** -i */
        INFO
    }

    /** One row of fpm_main.c's OPTIONS table: the option letter, whether it takes a value, its long name. */
    private record Opt(char letter, boolean takesValue, String longName) {}

    /** php-fpm's table, in its order (php_getopt takes the first match). */
    private static final Opt[] TABLE = {
        new Opt('c', true, "php-ini"),
        new Opt('d', true, "define"),
        new Opt('e', false, "profile-info"),
        new Opt('h', false, "help"),
        new Opt('i', false, "info"),
        new Opt('m', false, "modules"),
        new Opt('n', false, "no-php-ini"),
        new Opt('?', false, "usage"),
        new Opt('v', false, "version"),
        new Opt('y', true, "fpm-config"),
        new Opt('t', false, "test"),
        new Opt('p', true, "prefix"),
        new Opt('g', true, "pid"),
        new Opt('R', false, "allow-to-run-as-root"),
        new Opt('D', false, "daemonize"),
        new Opt('F', false, "nodaemonize"),
        new Opt('O', false, "force-stderr"),
    };

    /** What php_getopt returns for an unknown option, a lone colon or a missing value. */
    private static final char INVALID = 0;
    /** What php_getopt returns when the options end. */
    private static final char END = 1;

    static Options parse(String[] args) {
        Scanner scan = new Scanner(args);
        Path phpIni = null;
        boolean noPhpIni = false;
        List<String> defines = new ArrayList<>();
        Path prefix = null;
        Path pid = null;
        Path fpmConfig = null;
        int test = 0;
        boolean forceStderr = false;
        boolean allowRoot = false;
        Boolean daemonize = null;
        boolean info = false;
        Action now = null;
        for (char c = scan.next(); c != END && now == null; c = scan.next()) {
            switch (c) {
                case 'c' -> phpIni = Path.of(scan.value);
                case 'n' -> noPhpIni = true;
                case 'd' -> defines.add(scan.value);
                case 'y' -> fpmConfig = Path.of(scan.value);
                case 'p' -> prefix = Path.of(scan.value);
                case 'g' -> pid = Path.of(scan.value);
                case 'e' -> { } // extended information for debuggers: php-cgi has no use for it here
                case 't' -> test++;
                case 'm' -> now = Action.MODULES;
                case 'i' -> info = true;
                case 'R' -> allowRoot = true;
                case 'D' -> daemonize = true;
                case 'F' -> daemonize = false;
                case 'O' -> forceStderr = true;
                case 'v' -> now = Action.VERSION;
                case 'h', '?' -> now = Action.HELP;
                default -> now = Action.USAGE_ERROR;
            }
        }
        Action action = now != null ? now : info ? Action.INFO : scan.index != args.length ? Action.USAGE_ERROR
                : Action.RUN;
        return new Options(action, phpIni, noPhpIni, List.copyOf(defines), prefix, pid, fpmConfig, test,
                forceStderr, allowRoot, daemonize);
    }

    /**
     * php_getopt's walk over the words (main/getopt.c): {@link #next} returns the next
     * option's letter, {@link #INVALID} or {@link #END}, and leaves an option's value in
     * {@link #value}. {@code inCluster} and {@code at} are php_getopt's static {@code dash}
     * and {@code optchr}: the position inside a cluster of short options.
     */
    private static final class Scanner {
        private final String[] args;
        int index;
        String value;
        private boolean inCluster;
        private int at;

        Scanner(String[] args) {
            this.args = args;
        }

        char next() {
            value = null;
            if (index >= args.length) {
                return END;
            }
            String arg = args[index];
            if (!inCluster && (arg.isEmpty() || arg.charAt(0) != '-' || arg.length() == 1)) {
                return END; // a word, or "-" (stdin in php_getopt's words): left over for the caller
            }
            Opt opt = null;
            int valueAt;
            if (arg.startsWith("--")) {
                if (arg.length() == 2) {
                    index++;
                    return END;
                }
                // php_getopt looks for the '=' before the last character only: "--test=" is no option
                int eq = arg.substring(0, arg.length() - 1).indexOf('=', 2);
                String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
                for (Opt o : TABLE) {
                    if (o.longName.equals(name)) {
                        opt = o;
                        break;
                    }
                }
                if (opt == null) {
                    index++;
                    return INVALID;
                }
                at = 0;
                inCluster = false;
                valueAt = eq < 0 ? arg.length() : eq + 1;
            } else {
                if (!inCluster) {
                    inCluster = true;
                    at = 1;
                }
                char letter = arg.charAt(at);
                if (letter == ':') {
                    inCluster = false;
                    index++;
                    return INVALID;
                }
                for (Opt o : TABLE) {
                    if (o.letter == letter) {
                        opt = o;
                        break;
                    }
                }
                if (opt == null) {
                    if (at + 1 >= arg.length()) {
                        inCluster = false;
                        index++;
                    } else {
                        at++;
                    }
                    return INVALID;
                }
                valueAt = at + 1;
            }
            if (opt.takesValue) {
                inCluster = false;
                if (valueAt >= arg.length()) {
                    index++;
                    if (index == args.length) {
                        return INVALID;
                    }
                    value = args[index++];
                } else {
                    // "-y=file" drops the '=', "-yfile" keeps all; after a long option's '=' one
                    // more '=' is dropped too, as php_getopt does
                    value = arg.substring(arg.charAt(valueAt) == '=' ? valueAt + 1 : valueAt);
                    index++;
                }
                return opt.letter;
            }
            if (!arg.startsWith("--") && at + 1 < arg.length()) {
                at++; // more options in this cluster
            } else {
                inCluster = false;
                index++;
            }
            return opt.letter;
        }
    }
}
