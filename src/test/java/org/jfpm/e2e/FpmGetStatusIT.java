package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.jfpm.e2e.support.Backends;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.junit.jupiter.api.Test;

/** fpm_get_status() in PHP code: php-fpm's array shape, jfpm's exact numbers. */
class FpmGetStatusIT {

    @Test
    void returnsPhpFpmsArrayWithTheRequestItselfRunning() throws Exception {
        assumeTrue(Backends.hasMaster(), "needs a master");
        try (Jfpm jfpm = Jfpm.pool().maxChildren(2).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            jfpm.awaitWorkers(2, Duration.ofSeconds(5));
            for (int i = 0; i < 3; i++) {
                assertThat(http.get("/echo.php?warm=" + i).statusCode()).isEqualTo(200);
            }
            String json = Http.text(http.get("/fpmstatus.php?x=1"));
            assertThat(json).as(jfpm.logText()).isNotEqualTo("false");
            // php-fpm 8.2's keys, in its order (fpm_status_export_to_zval in sapi/fpm/fpm/fpm_status.c)
            assertThat(json).contains("\"keys\":[\"pool\",\"process-manager\",\"start-time\",\"start-since\","
                    + "\"accepted-conn\",\"listen-queue\",\"max-listen-queue\",\"listen-queue-len\",\"idle-processes\","
                    + "\"active-processes\",\"total-processes\",\"max-active-processes\",\"max-children-reached\","
                    + "\"slow-requests\",\"procs\"]");
            assertThat(json).contains("\"proc_keys\":[\"pid\",\"state\",\"start-time\",\"start-since\",\"requests\","
                    + "\"request-duration\",\"request-method\",\"request-uri\",\"query-string\",\"request-length\","
                    + "\"user\",\"script\",\"last-request-cpu\",\"last-request-memory\"]");
            assertThat(json).contains("\"pool\":\"www\"", "\"pm\":\"static\"", "\"accepted\":4", "\"total\":2");
            // the request asking is the one Running, with its URI and query apart
            assertThat(json).contains("\"request-uri\":\"\\/fpmstatus.php\"", "\"query-string\":\"x=1\"");
        }
    }
}
