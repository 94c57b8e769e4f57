package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.junit.jupiter.api.Test;

/** catch_workers_output and decorate_workers_output, with php-fpm's splitting of long lines. */
class WorkerOutputIT {

    @Test
    void aLongLineIsSplitIntoCompletePrefixedLinesOfAtMost1023Characters() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("catch_workers_output = yes").start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            long pid = jfpm.awaitWorkers(1, Duration.ofSeconds(5)).getFirst();
            assertThat(Http.text(http.get("/stderr.php?n=1500"))).isEqualTo("ok");
            String prefix = "WARNING: [pool www] child " + pid + " said into stderr: \"";
            // both pieces of the 1500 characters, whenever the second one is logged
            jfpm.awaitLogs(java.util.regex.Pattern.quote(prefix) + "x+\"$", 2, Duration.ofSeconds(10));
            List<String> lines = jfpm.logText().lines().filter(l -> l.contains(prefix)).toList();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).hasSize(1023).endsWith("x\"");
            int xs = 0;
            for (String l : lines) {
                assertThat(l).matches("^\\[[^]]+\\] " + java.util.regex.Pattern.quote(prefix) + "x+\"$");
                xs += l.length() - l.indexOf('"') - 2;
            }
            assertThat(xs).isEqualTo(1500);
        }
    }

    @Test
    void undecoratedOutputIsTheRawTextSplitAt1023() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("catch_workers_output = yes")
                .line("decorate_workers_output = no").start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            assertThat(Http.text(http.get("/stderr.php?n=1500"))).isEqualTo("ok");
            jfpm.awaitLog("^x{477}$", Duration.ofSeconds(10));
            assertThat(jfpm.logText().lines().filter(l -> l.matches("^x{1023}$")).count()).isEqualTo(1);
        }
    }

    /**
     * Shared workers forced on a decorated pool (jfpm.shared_opcache = yes): the children
     * write to their parent's one stderr, so the lines name php-cgi's parent, which is what
     * docs/differences.md says; by default (auto) such a pool keeps one php-cgi per worker.
     */
    @Test
    void forcedSharedWorkersNameTheirParent() throws Exception {
        assumeTrue(Backends.hasMaster() && !Jfpm.isReference(), "jfpm.shared_opcache is jfpm's");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("catch_workers_output = yes")
                .line("jfpm.shared_opcache = yes").start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            long child = jfpm.awaitWorkers(1, Duration.ofSeconds(5)).getFirst();
            long parent = ProcessHandle.of(child).orElseThrow().parent().orElseThrow().pid();
            assertThat(parent).isNotEqualTo(jfpm.pid());
            assertThat(Http.text(http.get("/stderr.php?n=10"))).isEqualTo("ok");
            jfpm.awaitLog(java.util.regex.Pattern.quote("WARNING: [pool www] child " + parent
                    + " said into stderr: \"xxxxxxxxxx\"") + "$", Duration.ofSeconds(10));
        }
    }
}
