package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.ProjectFiles;
import org.junit.jupiter.api.Test;

/**
 * php_admin_value and php_admin_flag "can not be overridden by ini_set()" (the PHP
 * manual's FPM configuration page): ini_set() returns false and the value stays, while
 * php_value entries stay changeable; and the site's scripts get no FFI. The same test
 * passes against php-fpm8.2 ({@code -De2e.backend=php-fpm}).
 */
class AdminValuesIT {

    @Test
    void adminValuesAreLockedAndPhpValuesAreNot() throws Exception {
        // as root, PHP runs opcache.preload in a child of its own: jfpm's lock needs workers that are not root
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).line("user = nobody")
                .line("php_admin_value[memory_limit] = 96M")
                .line("php_admin_flag[display_errors] = off")
                .line("php_admin_value[sendmail_path] = /bin/true")
                .line("php_admin_value[max_execution_time] = 40")
                .line("php_value[default_socket_timeout] = 33")
                .line("php_flag[html_errors] = off")
                .start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            for (int round = 0; round < 3; round++) { // every worker, and again after a request changed things
                String text = Http.text(http.get("/iniset.php?set=memory_limit=1G,display_errors=1,"
                        + "max_execution_time=5,sendmail_path=/bin/false,default_socket_timeout=7,html_errors=1"));
                assertThat(text.lines()).containsExactly(
                        "memory_limit: ini_set=false now='96M' access=4",
                        "display_errors: ini_set=false now='0' access=4",
                        "max_execution_time: ini_set=false now='40' access=4",
                        "sendmail_path: ini_set=false now='/bin/true' access=4",
                        "default_socket_timeout: ini_set='33' now='7' access=7",
                        "html_errors: ini_set='0' now='1' access=7",
                        "preload=none",
                        "ffi=closed");
            }
        }
    }

    /**
     * The pool's own opcache.preload still runs, after the lock. (php-fpm applies a pool's
     * values after its master has preloaded, so there a pool-level opcache.preload does
     * nothing; jfpm's workers start with it, as they always have.)
     */
    @Test
    void thePoolsOwnPreloadStillRuns() throws Exception {
        assumeFalse(Jfpm.isReference(), "php-fpm ignores a pool-level opcache.preload");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("user = nobody")
                .line("php_admin_value[memory_limit] = 96M")
                .line("php_admin_value[opcache.preload] = " + ProjectFiles.phpDocroot().resolve("preloaded.inc"))
                .start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            String text = Http.text(http.get("/iniset.php?set=memory_limit=1G"));
            assertThat(text.lines()).containsExactly("memory_limit: ini_set=false now='96M' access=4",
                    "preload=preloaded", "ffi=closed");
        }
    }
}
