package org.jfpm.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real nginx on 127.0.0.1:&lt;free port&gt; that passes {@code *.php} to a FastCGI address.
 * Everything it writes (pid, logs, temp files) stays in its own temp dir; it runs in the
 * foreground as a child of the test JVM and is stopped by its pid.
 */
public final class Nginx implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ScratchDir dir;
    private final Process process;
    private final int port;
    private final LogLines output;

    private Nginx(ScratchDir dir, Process process, int port, LogLines output) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.output = output;
    }

    public static Builder passingTo(String fastcgiAddress) {
        return new Builder(fastcgiAddress);
    }

    /** What the test can choose; everything else is fixed. */
    public static final class Builder {
        private final String fastcgiAddress;
        private Path docroot = ProjectFiles.phpDocroot();
        private int keepaliveConnections;
        private String locationExtra = "";
        private String serverExtra = "";
        private int listenPort;

        private Builder(String fastcgiAddress) {
            this.fastcgiAddress = fastcgiAddress;
        }

        public Builder docroot(Path docroot) {
            this.docroot = docroot;
            return this;
        }

        /** {@code fastcgi_keep_conn on} and an upstream {@code keepalive N} (0: neither, the default). */
        public Builder keepalive(int connections) {
            this.keepaliveConnections = connections;
            return this;
        }

        /** Directives added inside {@code location ~ \.php$}. */
        public Builder locationExtra(String snippet) {
            this.locationExtra = snippet;
            return this;
        }

        /** Directives added inside {@code server}. */
        public Builder serverExtra(String snippet) {
            this.serverExtra = snippet;
            return this;
        }

        /** A fixed port instead of a free one (the demo uses 8080). */
        public Builder port(int port) {
            this.listenPort = port;
            return this;
        }

        public Nginx start() {
            ScratchDir dir = ScratchDir.create("nginx-e2e-");
            try {
                IllegalStateException last = null;
                for (int attempt = 0; attempt < 3; attempt++) {
                    int port = listenPort != 0 ? listenPort : Listening.free();
                    try {
                        return launch(dir, port);
                    } catch (IllegalStateException e) {
                        last = e;
                        if (listenPort != 0 || !e.getMessage().contains("Address already in use")) {
                            break;
                        }
                    }
                }
                throw last;
            } catch (RuntimeException | Error e) {
                dir.close();
                throw e;
            }
        }

        private Nginx launch(ScratchDir dir, int port) {
            dir.write("nginx.conf", config(dir.path(), port));
            Path errorLog = dir.resolve("error.log");
            ProcessBuilder pb = new ProcessBuilder("nginx", "-p", dir.path().toString(),
                    "-c", dir.resolve("nginx.conf").toString(), "-e", errorLog.toString())
                    .redirectErrorStream(true);
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start nginx (is it installed?)", e);
            }
            LogLines output = LogLines.drain(process.getInputStream(), "nginx-output");
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    output.awaitEnd(Duration.ofSeconds(1));
                    throw new IllegalStateException("nginx exited with " + process.exitValue()
                            + " at start:\n" + output.text() + "\n" + readQuietly(errorLog));
                }
                if (Listening.accepts(port)) {
                    return new Nginx(dir, process, port, output);
                }
                Pids.sleep(Duration.ofMillis(50));
            }
            process.destroyForcibly();
            throw new IllegalStateException("nginx did not listen on " + port + " within "
                    + START_TIMEOUT + ":\n" + readQuietly(errorLog));
        }

        private String config(Path d, int port) {
            boolean keep = keepaliveConnections > 0;
            String user = "root".equals(System.getProperty("user.name"))
                    // workers must reach the backend's 0660 root-owned unix socket
                    ? "user root root;\n" : "";
            return """
                    # written by the jfpm end-to-end tests
                    %sworker_processes 2;
                    daemon off;
                    master_process on;
                    pid %s/nginx.pid;
                    error_log %s/error.log info;
                    events { worker_connections 1024; }
                    http {
                        access_log %s/access.log;
                        client_body_temp_path %s/client_body_temp;
                        fastcgi_temp_path %s/fastcgi_temp;
                        proxy_temp_path %s/proxy_temp;
                        uwsgi_temp_path %s/uwsgi_temp;
                        scgi_temp_path %s/scgi_temp;
                        client_max_body_size 256m;
                        default_type application/octet-stream;
                        upstream php_backend {
                            server %s;
                            %s
                        }
                        server {
                            listen 127.0.0.1:%d;
                            server_name localhost;
                            root %s;
                            index index.php;
                            %s
                            location ~ \\.php$ {
                                include /etc/nginx/fastcgi_params;
                                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                                fastcgi_pass php_backend;
                                fastcgi_connect_timeout 10s;
                                fastcgi_read_timeout 30s;
                                fastcgi_send_timeout 30s;
                                %s
                                %s
                            }
                        }
                    }
                    """.formatted(user, d, d, d, d, d, d, d, d,
                    fastcgiAddress, keep ? "keepalive " + keepaliveConnections + ";" : "",
                    port, docroot, serverExtra,
                    keep ? "fastcgi_keep_conn on;" : "", locationExtra);
        }
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** nginx's error log so far, for assertion messages. */
    public String errorLog() {
        return readQuietly(dir.resolve("error.log"));
    }

    public String accessLog() {
        return readQuietly(dir.resolve("access.log"));
    }

    public Path dir() {
        return dir.path();
    }

    /** Graceful stop (QUIT) by pid, then KILL of the master and its workers after a grace period. */
    @Override
    public void close() {
        try {
            Pids.stopWithFamily(process, "QUIT", STOP_GRACE);
            output.awaitEnd(Duration.ofSeconds(1));
        } finally {
            dir.close();
        }
    }

    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no " + file.getFileName() + ")";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
