package org.jfpm.e2e.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Apache and Caddy from Debian's packages, each serving one example site file from
 * examples/ with the test's port, document root and FastCGI socket swapped in.
 * The server-wide settings around the site (modules, pid file, logs, temp dirs) are
 * the test's own and all live in the server's temp dir.
 */
public final class FrontEnds {

    public static final String APACHE = "/usr/sbin/apache2";
    public static final String CADDY = "caddy";
    private static final String MODULES = "/usr/lib/apache2/modules";

    private FrontEnds() {}

    /**
     * nginx with the site {@code site} from examples/ (a server block, perhaps with its
     * upstream, whose {@code listen 80;} becomes the test's port) inside the test's own
     * http block.
     */
    public static WebServer nginx(String site, Path socket, Path docroot) {
        return WebServer.start("nginx", (dir, port) -> {
            dir.write("site.conf", Examples.file(site)
                    .swap("listen 80;", "listen 127.0.0.1:" + port + ";")
                    .swap(Examples.SOCKET, socket.toString())
                    .swap(Examples.DOCROOT, docroot.toString())
                    .text());
            boolean root = "root".equals(System.getProperty("user.name"));
            dir.write("nginx.conf", """
                    # written by the jfpm end-to-end tests; the site is examples/%1$s
                    %2$sworker_processes 2;
                    daemon off;
                    master_process on;
                    pid %3$s/nginx.pid;
                    error_log %3$s/error.log info;
                    events { worker_connections 1024; }
                    http {
                        access_log %3$s/access.log;
                        client_body_temp_path %3$s/client_body_temp;
                        fastcgi_temp_path %3$s/fastcgi_temp;
                        proxy_temp_path %3$s/proxy_temp;
                        uwsgi_temp_path %3$s/uwsgi_temp;
                        scgi_temp_path %3$s/scgi_temp;
                        default_type application/octet-stream;
                        include %3$s/site.conf;
                    }
                    """.formatted(site,
                    // workers must reach the backend's 0660 socket
                    root ? "user root root;\n" : "", dir.path()));
            return new WebServer.Launch(List.of("nginx", "-p", dir.path().toString(), "-c",
                    dir.resolve("nginx.conf").toString(), "-e", dir.resolve("error.log").toString()),
                    Map.of(), dir.resolve("error.log"));
        });
    }

    /**
     * Apache 2.4 (mpm_event, mod_proxy_fcgi) with the site {@code site} (a file under
     * examples/, whose {@code <VirtualHost *:80>} becomes the test's port).
     */
    public static WebServer apache(String site, Path socket, Path docroot) {
        return WebServer.start("apache2", (dir, port) -> {
            dir.write("site.conf", Examples.file(site)
                    .swap("<VirtualHost *:80>", "<VirtualHost 127.0.0.1:" + port + ">")
                    .swap(Examples.SOCKET, socket.toString())
                    .swap(Examples.DOCROOT, docroot.toString())
                    .text());
            boolean root = "root".equals(System.getProperty("user.name"));
            String d = dir.path().toString();
            dir.write("apache2.conf", """
                    # written by the jfpm end-to-end tests; the site is examples/%1$s
                    ServerName localhost
                    Listen 127.0.0.1:%2$d
                    PidFile %3$s/apache2.pid
                    DefaultRuntimeDir %3$s
                    Mutex file:%3$s default
                    ErrorLog %3$s/error.log
                    LogLevel warn
                    %4$s
                    LoadModule mpm_event_module %5$s/mod_mpm_event.so
                    LoadModule authz_core_module %5$s/mod_authz_core.so
                    LoadModule mime_module %5$s/mod_mime.so
                    LoadModule dir_module %5$s/mod_dir.so
                    LoadModule proxy_module %5$s/mod_proxy.so
                    LoadModule proxy_fcgi_module %5$s/mod_proxy_fcgi.so
                    TypesConfig /etc/mime.types
                    CustomLog %3$s/access.log common
                    Include %3$s/site.conf
                    """.formatted(site, port, d,
                    // Apache will not serve as root: its children run as www-data (the pool's socket is theirs)
                    root ? "User www-data\nGroup www-data" : "", MODULES));
            return new WebServer.Launch(List.of(APACHE, "-f", dir.resolve("apache2.conf").toString(), "-DFOREGROUND"),
                    Map.of(), dir.resolve("error.log"));
        });
    }

    /**
     * Caddy with the Caddyfile {@code site} from examples/ (its {@code :80} site address
     * becomes {@code http://127.0.0.1:PORT}), after a global block that turns off the admin
     * endpoint and automatic HTTPS, with HOME and XDG dirs in its temp dir.
     */
    public static WebServer caddy(String site, Path socket, Path docroot) {
        return WebServer.start("caddy", (dir, port) -> {
            String global = """
                    # written by the jfpm end-to-end tests; the site is examples/%s
                    {
                    	admin off
                    	auto_https off
                    }
                    """.formatted(site);
            dir.write("Caddyfile", global + Examples.file(site)
                    .swap(":80 {", "http://127.0.0.1:" + port + " {")
                    .swap(Examples.SOCKET, socket.toString())
                    .swap(Examples.DOCROOT, docroot.toString())
                    .text());
            String d = dir.path().toString();
            return new WebServer.Launch(
                    List.of(CADDY, "run", "--config", dir.resolve("Caddyfile").toString(), "--adapter", "caddyfile"),
                    Map.of("HOME", d, "XDG_DATA_HOME", d + "/data", "XDG_CONFIG_HOME", d + "/config"),
                    dir.resolve("caddy-does-not-write-a-log-file"));
        });
    }
}
