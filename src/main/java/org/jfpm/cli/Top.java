package org.jfpm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jfpm.config.FpmConfig;
import org.jfpm.config.PoolConfig;
import org.jfpm.os.ProcessUsage;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * {@code jfpm top -y CONF [--once]}: a live view of every pool of a configuration, read
 * once a second through each pool's status page (its {@code pm.status_path} on its listen
 * socket, or {@code pm.status_listen}), as a web server would ask it. The terminal (raw
 * mode, size, keys, the alternate screen) is JLine's; {@code --once} prints one screen,
 * two readings a second apart, for scripts.
 *
 * <p>{@code jfpm top [--path P] ADDRESS...} reads status addresses instead, one block per
 * host ({@link RemoteTarget}: a pool's {@code pm.status_listen}, {@code 127.0.0.2:9001},
 * or with the path, {@code 127.0.0.2:9001/status}; the path defaults to {@code /status}),
 * with a total line over all of them: one view of the hosts behind a load balancer.
 * Workers' CPU is then not shown: their processes may be on another machine.
 */
final class Top {
    private static final String USAGE = "Usage: jfpm top [-y <file>] [-p <prefix>] [--once]\n"
            + "       jfpm top [--path <path>] [--once] <address>[<path>]...";
    private static final long INTERVAL_MILLIS = 1000;
    private static final long TIMEOUT_NANOS = 1_000_000_000L;
    private static final String DEFAULT_STATUS_PATH = "/status";

    /**
     * Where one pool's status page is read: a configuration's pool ({@code host} null, its
     * workers' CPU read from /proc) or a status address ({@code host} the address).
     * {@code problem} says why it cannot be read at all.
     */
    record Source(String host, String name, String listen, String path, String problem) {
        static Source of(PoolConfig pool) {
            String listen = pool.pmStatusListen() != null ? pool.pmStatusListen() : pool.listen();
            String path = pool.pmStatusPath() != null ? pool.pmStatusPath() : pool.pmStatusListen() != null ? "/" : null;
            return new Source(null, pool.name(), listen, path,
                    path == null ? "sets no pm.status_path (or pm.status_listen)" : null);
        }

        static Source of(RemoteTarget target, String defaultPath) {
            return new Source(target.label(), null, target.listen(), target.pathOr(defaultPath), null);
        }
    }

    private final List<Source> sources;
    private final String title;
    private final TopModel model = new TopModel();

    private Top(List<Source> sources, String title) {
        this.sources = sources;
        this.title = title;
    }

    /** {@code args}: what follows {@code top} on the command line. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Path conf = null;
        Path prefix = null;
        boolean once = false;
        String path = null;
        List<RemoteTarget> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "-y", "--fpm-config" -> conf = Path.of(args.get(++i));
                    case "-p", "--prefix" -> prefix = Path.of(args.get(++i));
                    case "--once" -> once = true;
                    case "--path" -> path = args.get(++i);
                    default -> {
                        RemoteTarget target = RemoteTarget.isAddress(a) ? RemoteTarget.parse(a).orElse(null) : null;
                        if (target == null) {
                            err.println(USAGE);
                            return Main.EXIT_USAGE;
                        }
                        addresses.add(target);
                    }
                }
            }
        } catch (IndexOutOfBoundsException e) {
            err.println(USAGE);
            return Main.EXIT_USAGE;
        }
        Top top;
        if (!addresses.isEmpty()) {
            if (conf != null || prefix != null) {
                err.println("jfpm top: addresses and a configuration's pools cannot be shown together");
                err.println(USAGE);
                return Main.EXIT_USAGE;
            }
            List<Source> sources = new ArrayList<>();
            for (RemoteTarget target : addresses) {
                sources.add(Source.of(target, path == null ? DEFAULT_STATUS_PATH : path));
            }
            top = new Top(sources, "jfpm top " + String.join(" ", sources.stream().map(Source::host).toList()));
        } else {
            if (path != null) {
                err.println("jfpm top: --path goes with addresses; a pool's comes from its configuration");
                return Main.EXIT_USAGE;
            }
            FpmConfig config = CommandConfig.load(conf, prefix, "jfpm top", err);
            if (config == null) {
                return 1;
            }
            top = new Top(config.pools().stream().map(Source::of).toList(), "jfpm top " + config.file());
        }
        try {
            return once ? top.once(out) : top.live(err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private int once(PrintStream out) throws InterruptedException {
        read();
        Thread.sleep(INTERVAL_MILLIS);
        for (String line : TopScreen.render(title(), read(), TopScreen.Sort.CPU, memAvailable(), 80, 24)) {
            out.println(line);
        }
        return 0;
    }

    private int live(PrintStream err) throws InterruptedException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            if (Terminal.TYPE_DUMB.equals(terminal.getType()) || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType())) {
                err.println("jfpm top: not a terminal (try --once)");
                return 1;
            }
            Attributes saved = terminal.enterRawMode();
            terminal.puts(Capability.enter_ca_mode);
            terminal.puts(Capability.cursor_invisible);
            try {
                loop(terminal);
            } finally {
                terminal.puts(Capability.cursor_visible);
                terminal.puts(Capability.exit_ca_mode);
                terminal.setAttributes(saved);
                terminal.flush();
            }
            return 0;
        } catch (IOException e) {
            err.println("jfpm top: " + e.getMessage());
            return 1;
        }
    }

    private void loop(Terminal terminal) throws IOException {
        NonBlockingReader keys = terminal.reader();
        TopScreen.Sort sort = TopScreen.Sort.CPU;
        List<TopModel.PoolView> views = read();
        long next = System.currentTimeMillis() + INTERVAL_MILLIS;
        while (true) {
            int width = terminal.getWidth() > 0 ? terminal.getWidth() : 80;
            int height = terminal.getHeight() > 0 ? terminal.getHeight() : 24;
            terminal.puts(Capability.clear_screen);
            terminal.writer().print(String.join("\r\n",
                    TopScreen.render(title(), views, sort, memAvailable(), width, height)));
            terminal.flush();
            long wait = next - System.currentTimeMillis();
            int key = wait > 0 ? keys.read(wait) : NonBlockingReader.READ_EXPIRED;
            if (key == 'q' || key == 'Q' || key == NonBlockingReader.EOF || key == 3) { // 3: Ctrl-C in raw mode
                return;
            }
            if (key >= 0) {
                sort = TopScreen.Sort.forKey(key, sort);
                continue; // redraw at once in the new order
            }
            views = read();
            next = System.currentTimeMillis() + INTERVAL_MILLIS;
        }
    }

    private String title() {
        return title + "  " + LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss"));
    }

    /** One reading of every pool. */
    private List<TopModel.PoolView> read() {
        List<TopModel.PoolView> views = new ArrayList<>();
        for (Source source : sources) {
            views.add(read(source));
        }
        return views;
    }

    private TopModel.PoolView read(Source source) {
        if (source.problem() != null) {
            return TopModel.PoolView.failed(source.host(), source.name(), source.problem());
        }
        try {
            String full = PoolCall.get(source.listen(), source.path(), "full", TIMEOUT_NANOS);
            String metrics = PoolCall.get(source.listen(), source.path(), "openmetrics", TIMEOUT_NANOS);
            TopModel.Page page = TopModel.parse(full, metrics);
            if (source.host() != null) {
                return model.update(source.host(), null, page, System.nanoTime(), null);
            }
            Map<Long, Long> ticks = new HashMap<>();
            for (Map<String, String> w : page.workers()) {
                try {
                    long pid = Long.parseLong(w.getOrDefault("pid", ""));
                    ticks.put(pid, ProcessUsage.cpuTicksTotal(pid));
                } catch (NumberFormatException e) {
                    // not a number: no CPU for it
                }
            }
            return model.update(source.name(), page, System.nanoTime(), ticks);
        } catch (PoolCall.Failed e) {
            return TopModel.PoolView.failed(source.host(), source.name(), e.getMessage());
        }
    }

    /** MemAvailable of /proc/meminfo in bytes, 0 if unknown. */
    private static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    String kb = line.substring(13).strip();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return 0;
    }
}
