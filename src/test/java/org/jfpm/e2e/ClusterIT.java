package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Pids;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.e2e.support.ScratchDir;
import org.junit.jupiter.api.Test;

/**
 * The cluster example of issue 19, as its README runs it: {@code examples/cluster/run.sh
 * start} (Redis on a unix socket, three masters on 127.0.0.2-4, each in its own pid
 * namespace where unshare allows it, nginx on 127.0.0.1), then {@code rolling-restart.sh}
 * while keep-alive clients load nginx and a logged-in client counts in its session. No
 * request may fail, the session counter goes up by exactly one per request, and each host
 * serves again after its restart.
 */
class ClusterIT {
    private static final Path CLUSTER = ProjectFiles.root().resolve("examples/cluster");
    private static final String[] HOSTS = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
    private static final int LOAD_CLIENTS = 6;
    private static final int SLOW_CLIENTS = 3;
    /** Bounds of the load, whatever happens: the test never loops unbounded. */
    private static final Duration LOAD_LIMIT = Duration.ofSeconds(150);
    private static final long MAX_REQUESTS = 2_000_000;
    private static final Pattern HOST = Pattern.compile("\"host\":\"([0-9.]+)\"");
    private static final Pattern COUNTER = Pattern.compile("\"counter\":(\\d+)");
    private static final Pattern RESTARTED = Pattern.compile("host ([0-9.]+): restarted, master (\\d+)");

    /** One answer (or failure) a client saw; {@code startNanos} is when its request was sent. */
    record Answer(String method, long startNanos, int status, String body, String error) {
        boolean ok() {
            return error == null && status == 200;
        }

        String host() {
            Matcher m = HOST.matcher(body);
            return m.find() ? m.group(1) : null;
        }
    }

    @Test
    void aRollingRestartUnderLoadFailsNoRequestAndKeepsTheSession() throws Exception {
        assumeFalse(Jfpm.isReference(), "the example runs bin/jfpm");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/redis-server")), "redis-server is not installed");
        assumeTrue(Files.exists(Path.of("/etc/php/8.2/mods-available/redis.ini")), "php8.2-redis is not installed");
        int port = freePort("127.0.0.1", 0);
        int fpmPort = freeClusterPort();
        Map<String, String> env = Map.of("PORT", Integer.toString(port), "FPM_PORT", Integer.toString(fpmPort),
                "JFPM", Jfpm.executable().toString());
        try (ScratchDir dir = ScratchDir.create("jfpm-cl-")) {
            Path run = dir.resolve("run");
            try {
                String started = script(env, Duration.ofSeconds(120), "run.sh", "start", run.toString());
                assertThat(started).contains("cluster: ").contains("serving ");
                List<Long> firstMasters = masters(run);

                Load load = new Load(port);
                load.start();
                load.awaitAnswers(200); // every client has gone round once at least
                List<String> restartLines = new ArrayList<>();
                Map<String, Long> restartedAt = new ConcurrentHashMap<>();
                String roll = script(env, Duration.ofSeconds(180), line -> {
                    restartLines.add(line);
                    Matcher m = RESTARTED.matcher(line);
                    if (m.find()) {
                        restartedAt.put(m.group(1), System.nanoTime());
                    }
                }, "rolling-restart.sh", run.toString());
                assertThat(roll).contains("done: every host restarted");
                assertThat(restartedAt).as(roll).containsOnlyKeys(HOSTS);
                // a little more load, until every host has answered a request sent after its restart
                load.awaitEveryHostAfter(restartedAt, Duration.ofSeconds(30));
                load.stop();

                // A POST is not asserted: nginx sends it to the next host only while it has not sent
                // it anywhere (no non_idempotent), and a kept FastCGI connection that a host closes
                // after its last answer can be taken by nginx for a POST a moment before nginx sees
                // the close: the protocol has no "Connection: close" (docs/scaling.md). Counted.
                List<Answer> failed = load.answers().stream().filter(a -> !a.ok() && !a.method().equals("POST"))
                        .toList();
                long posts = load.answers().stream().filter(a -> a.method().equals("POST")).count();
                long failedPosts = load.answers().stream().filter(a -> !a.ok() && a.method().equals("POST")).count();
                String summary = load.answers().size() + " requests, " + load.sessionAnswers().size()
                        + " in the session, " + failed.size() + " GET failed, " + failedPosts + " POST of " + posts
                        + " failed; nginx's errors:\n" + nginxErrors(run) + "\nthe rolling restart:\n" + roll;
                assertThat(failed).as(summary + "\nthe first failures:\n" + String.join("\n",
                        failed.stream().limit(10).map(Answer::toString).toList())).isEmpty();
                assertThat(load.answers().size()).as(summary).isGreaterThan(1000);

                List<Answer> session = load.sessionAnswers();
                assertThat(session).as(summary).hasSizeGreaterThan(20);
                for (int i = 0; i < session.size(); i++) {
                    Matcher m = COUNTER.matcher(session.get(i).body());
                    assertThat(m.find()).as("answer %d: %s", i, session.get(i).body()).isTrue();
                    assertThat(Long.parseLong(m.group(1))).as("the session counter of request %d (%s)", i + 1,
                            summary).isEqualTo(i + 1L);
                }
                assertThat(session.stream().map(Answer::host).distinct())
                        .as("the session was served by every host").containsExactlyInAnyOrder(HOSTS);

                List<Long> newMasters = masters(run);
                for (int i = 0; i < HOSTS.length; i++) {
                    assertThat(newMasters.get(i)).as("host %s has a new master", HOSTS[i])
                            .isNotEqualTo(firstMasters.get(i));
                    String log = Files.readString(run.resolve("host" + (i + 1) + ".out"));
                    assertThat(log).as("host %s stopped gracefully", HOSTS[i]).contains("NOTICE: Finishing ...")
                            .contains("NOTICE: exiting, bye-bye!");
                }
                System.out.println("ClusterIT: " + summary.substring(0, summary.indexOf(';')) + "; nginx went on to"
                        + " the next host for " + retried(run) + " requests");
            } finally {
                stopCluster(env, run);
            }
        }
    }

    /** The load: keep-alive clients on a cheap page, and one client with a session on the counter page. */
    private static final class Load {
        private final int port;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong sent = new AtomicLong();
        private final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
        private final List<Answer> session = Collections.synchronizedList(new ArrayList<>());
        private final List<Thread> threads = new ArrayList<>();
        private final long deadline = System.nanoTime() + LOAD_LIMIT.toNanos();

        Load(int port) {
            this.port = port;
        }

        void start() {
            for (int i = 0; i < LOAD_CLIENTS; i++) {
                // POST as well as GET: nginx sends a POST to the next host only while it has not
                // sent it anywhere (non_idempotent is not set), so a kept connection closed under
                // a POST it had just sent would be a 502
                String method = i % 2 == 0 ? "GET" : "POST";
                threads.add(Thread.ofPlatform().name("cluster-load-" + i)
                        .start(() -> loop(method, "/host.php", answers, false)));
            }
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                // requests in flight when a host gets SIGQUIT: it finishes them before it exits
                threads.add(Thread.ofPlatform().name("cluster-slow-" + i)
                        .start(() -> loop("GET", "/slow.php?ms=700", answers, false)));
            }
            threads.add(Thread.ofPlatform().name("cluster-session")
                    .start(() -> loop("GET", "/counter.php", session, true)));
        }

        private boolean going() {
            return !stop.get() && System.nanoTime() < deadline && sent.incrementAndGet() <= MAX_REQUESTS;
        }

        private void loop(String method, String path, List<Answer> out, boolean withSession) {
            String cookie = null;
            KeptConnection c = null;
            try {
                while (going()) {
                    long start = System.nanoTime();
                    try {
                        if (c == null) {
                            c = new KeptConnection(port);
                        }
                        KeptConnection.Response r = c.send(method, path, cookie);
                        if (withSession && cookie == null && r.cookie() != null) {
                            cookie = r.cookie();
                        }
                        out.add(new Answer(method, start, r.status(), r.body(), null));
                        if (!r.keepAlive()) {
                            c.close();
                            c = null;
                        }
                    } catch (IOException e) {
                        out.add(new Answer(method, start, 0, "", e.toString()));
                        if (c != null) {
                            c.close();
                        }
                        c = null;
                    }
                }
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        }

        List<Answer> answers() {
            synchronized (answers) {
                List<Answer> all = new ArrayList<>(answers);
                synchronized (session) {
                    all.addAll(session);
                }
                return all;
            }
        }

        List<Answer> sessionAnswers() {
            synchronized (session) {
                return new ArrayList<>(session);
            }
        }

        void awaitAnswers(int count) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answers.size() < count && System.nanoTime() < until) {
                Pids.sleep(Duration.ofMillis(50));
            }
            assertThat(answers.size()).as("answers before the restart").isGreaterThanOrEqualTo(count);
        }

        void awaitEveryHostAfter(Map<String, Long> restartedAt, Duration timeout) {
            long until = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < until) {
                if (restartedAt.entrySet().stream().allMatch(e -> servedAfter(e.getKey(), e.getValue()))) {
                    return;
                }
                Pids.sleep(Duration.ofMillis(100));
            }
            for (Map.Entry<String, Long> e : restartedAt.entrySet()) {
                assertThat(servedAfter(e.getKey(), e.getValue())).as("host %s served after its restart", e.getKey())
                        .isTrue();
            }
        }

        private boolean servedAfter(String host, long nanos) {
            return answers().stream().anyMatch(a -> a.ok() && a.startNanos() > nanos && host.equals(a.host()));
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /**
     * An HTTP/1.1 client connection kept open between requests, with nothing between it and
     * nginx that would retry or hide a failure (as java.net.http may for an idempotent request).
     */
    private static final class KeptConnection {
        record Response(int status, String body, String cookie, boolean keepAlive) {
        }

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        KeptConnection(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        Response send(String method, String path, String cookie) throws IOException {
            String form = method.equals("POST") ? "a=1&b=" + "x".repeat(2000) : "";
            String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (cookie == null ? "" : "Cookie: " + cookie + "\r\n")
                    + (form.isEmpty() ? "" : "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                    + form.length() + "\r\n") + "\r\n" + form;
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response to " + path);
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            boolean keepAlive = true;
            String setCookie = null;
            for (String h = line(); h != null && !h.isEmpty(); h = line()) {
                String name = h.substring(0, h.indexOf(':')).toLowerCase();
                String value = h.substring(h.indexOf(':') + 1).strip();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
                    case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
                    case "set-cookie" -> setCookie = value.substring(0, value.indexOf(';') < 0 ? value.length()
                            : value.indexOf(';'));
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                for (long size = Long.parseLong(line().strip(), 16); size > 0; size = Long.parseLong(line().strip(), 16)) {
                    body.write(in.readNBytes((int) size));
                    line();
                }
                line();
            } else if (length >= 0) {
                body.write(in.readNBytes((int) length));
            }
            return new Response(status, body.toString(StandardCharsets.UTF_8), setCookie, keepAlive);
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                b.write(c);
            }
            if (c < 0 && b.size() == 0) {
                return null;
            }
            String s = b.toString(StandardCharsets.US_ASCII);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static List<Long> masters(Path run) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (int i = 1; i <= HOSTS.length; i++) {
            pids.add(Long.parseLong(Files.readString(run.resolve("host" + i + ".pid")).strip()));
        }
        return pids;
    }

    /** {@code run.sh stop}, then by pid whatever it could not stop; never fails the test by itself. */
    private static void stopCluster(Map<String, String> env, Path run) {
        try {
            script(env, Duration.ofSeconds(120), "run.sh", "stop", run.toString());
        } catch (AssertionError | Exception e) {
            System.err.println("ClusterIT: run.sh stop: " + e);
        }
        try (var files = Files.list(run)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches(".*\\.pid(\\.run)?")
                    && !p.getFileName().toString().equals("nginx.pid")).toList()) {
                long pid = Long.parseLong(Files.readString(f).strip());
                if (Pids.isRunning(pid)) {
                    Pids.signal(pid, "KILL");
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing left to stop
        }
    }

    private static String script(Map<String, String> env, Duration timeout, String... args) throws Exception {
        return script(env, timeout, line -> { }, args);
    }

    /** Runs a script of examples/cluster, each output line to {@code lines} as it comes; fails on a non-zero exit. */
    private static String script(Map<String, String> env, Duration timeout, java.util.function.Consumer<String> lines,
                                 String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CLUSTER.resolve(args[0]).toString()));
        command.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    lines.accept(line);
                }
            } catch (IOException ignored) {
                // the script ended
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError(String.join(" ", args) + " did not end within " + timeout + ":\n" + out);
        }
        reader.join(5000);
        synchronized (out) {
            assertThat(p.exitValue()).as(String.join(" ", args) + ":\n" + out).isZero();
            return out.toString();
        }
    }

    /** nginx's error log, counted by kind (request and upstream left out): refused connects, closes, resets. */
    private static String nginxErrors(Path run) {
        try {
            Map<String, Long> kinds = new java.util.TreeMap<>();
            for (String l : Files.readAllLines(run.resolve("nginx-error.log"))) {
                if (!l.contains("[notice]")) {
                    String kind = l.replaceAll("^.*?\\*\\d+ ", "").replaceAll(", client: .*?request: ", " ")
                            .replaceAll(", upstream: \"fastcgi://[0-9.]+:", " :").replaceAll("\", host: .*", "");
                    kinds.merge(kind, 1L, Long::sum);
                }
            }
            // the lines of answers cut after a request reached a host, whole (when, which host): the
            // ones that can cost a retried request's side effects
            List<String> cuts = Files.readAllLines(run.resolve("nginx-error.log")).stream()
                    .filter(l -> l.contains("prematurely closed") && l.contains("response header")).toList();
            return String.join("\n", kinds.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey()).toList())
                    + (cuts.isEmpty() ? "" : "\nanswers cut before their header:\n" + String.join("\n", cuts));
        } catch (IOException e) {
            return "(no nginx error log: " + e + ")";
        }
    }

    private static long retried(Path run) {
        try {
            return Files.readAllLines(run.resolve("nginx-access.log")).stream()
                    .filter(l -> l.contains("upstream=") && l.substring(l.indexOf("upstream=")).contains(", "))
                    .count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** A port free on 127.0.0.2, .3 and .4, with the next one free too (pm.status_listen). */
    private static int freeClusterPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freePort(HOSTS[0], 0);
            if (port < 65535 && List.of(HOSTS).stream().allMatch(h -> freePort(h, port) == port
                    && freePort(h, port + 1) == port + 1)) {
                return port;
            }
        }
        throw new IllegalStateException("no port free on " + String.join(", ", HOSTS));
    }

    private static int freePort(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(host, port));
            return s.getLocalPort();
        } catch (IOException e) {
            return -1;
        }
    }
}
