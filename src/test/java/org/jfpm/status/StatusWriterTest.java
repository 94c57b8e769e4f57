package org.jfpm.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every format, byte for byte. The expected texts are php-fpm8.2's own answers
 * (captured with cgi-fcgi from a static pool of two, one worker idle after
 * {@code /status?json}, the other running the status request itself), with
 * the snapshot built from the values that page showed.
 */
class StatusWriterTest {

    static final ZoneId UTC = ZoneId.of("UTC");

    static StatusSnapshot snapshot() {
        return new StatusSnapshot("www", "static", 1795771009L, 1, 4, 0, 0, 0, 1, 1, 2, 1, 0, 0, List.of(
                new StatusSnapshot.Process(24321, "Idle", 1795771009L, 1, 2, 392, "GET", "/status?json", 0, "-", "-",
                        0, 2097152),
                new StatusSnapshot.Process(24322, "Running", 1795771009L, 1, 2, 274, "GET", "/status?json&full", 0,
                        "-", "-", 0, 0)));
    }

    static String render(StatusFormat format, boolean full) {
        return StatusWriter.of(format, UTC).write(snapshot(), full);
    }

    @Test
    void text() {
        assertThat(render(StatusFormat.TEXT, false)).isEqualTo("""
                pool:                 www
                process manager:      static
                start time:           27/Nov/2026:09:16:49 +0000
                start since:          1
                accepted conn:        4
                listen queue:         0
                max listen queue:     0
                listen queue len:     0
                idle processes:       1
                active processes:     1
                total processes:      2
                max active processes: 1
                max children reached: 0
                slow requests:        0
                max children:         0
                queue oldest wait:    0
                queue timeouts:       0
                queue rejected:       0
                recycled by requests: 0
                recycled by memory:   0
                recycled by lifetime: 0
                """);
    }

    @Test
    void textFull() {
        assertThat(render(StatusFormat.TEXT, true)).endsWith("""
                slow requests:        0
                max children:         0
                queue oldest wait:    0
                queue timeouts:       0
                queue rejected:       0
                recycled by requests: 0
                recycled by memory:   0
                recycled by lifetime: 0

                ************************
                pid:                  24321
                state:                Idle
                start time:           27/Nov/2026:09:16:49 +0000
                start since:          1
                requests:             2
                request duration:     392
                request method:       GET
                request URI:          /status?json
                content length:       0
                user:                 -
                script:               -
                last request cpu:     0.00
                last request memory:  2097152
                resident memory:      0

                ************************
                pid:                  24322
                state:                Running
                start time:           27/Nov/2026:09:16:49 +0000
                start since:          1
                requests:             2
                request duration:     274
                request method:       GET
                request URI:          /status?json&full
                content length:       0
                user:                 -
                script:               -
                last request cpu:     0.00
                last request memory:  0
                resident memory:      0
                """);
    }

    @Test
    void json() {
        assertThat(render(StatusFormat.JSON, false)).isEqualTo("{\"pool\":\"www\",\"process manager\":\"static\","
                + "\"start time\":1795771009,\"start since\":1,\"accepted conn\":4,\"listen queue\":0,"
                + "\"max listen queue\":0,\"listen queue len\":0,\"idle processes\":1,\"active processes\":1,"
                + "\"total processes\":2,\"max active processes\":1,\"max children reached\":0,\"slow requests\":0,\"max children\":0,\"queue oldest wait\":0,\"queue timeouts\":0,\"queue rejected\":0,\"recycled by requests\":0,\"recycled by memory\":0,\"recycled by lifetime\":0}");
    }

    @Test
    void jsonFull() {
        assertThat(render(StatusFormat.JSON, true)).isEqualTo("{\"pool\":\"www\",\"process manager\":\"static\","
                + "\"start time\":1795771009,\"start since\":1,\"accepted conn\":4,\"listen queue\":0,"
                + "\"max listen queue\":0,\"listen queue len\":0,\"idle processes\":1,\"active processes\":1,"
                + "\"total processes\":2,\"max active processes\":1,\"max children reached\":0,\"slow requests\":0,\"max children\":0,\"queue oldest wait\":0,\"queue timeouts\":0,\"queue rejected\":0,\"recycled by requests\":0,\"recycled by memory\":0,\"recycled by lifetime\":0, "
                + "\"processes\":[{\"pid\":24321,\"state\":\"Idle\",\"start time\":1795771009,\"start since\":1,"
                + "\"requests\":2,\"request duration\":392,\"request method\":\"GET\",\"request uri\":\"\\/status?json\","
                + "\"content length\":0,\"user\":\"-\",\"script\":\"-\",\"last request cpu\":0.00,"
                + "\"last request memory\":2097152,\"resident memory\":0},{\"pid\":24322,\"state\":\"Running\",\"start time\":1795771009,"
                + "\"start since\":1,\"requests\":2,\"request duration\":274,\"request method\":\"GET\","
                + "\"request uri\":\"\\/status?json&full\",\"content length\":0,\"user\":\"-\",\"script\":\"-\","
                + "\"last request cpu\":0.00,\"last request memory\":0,\"resident memory\":0}]}");
    }

    @Test
    void xmlFull() {
        assertThat(render(StatusFormat.XML, true)).isEqualTo("""
                <?xml version="1.0" ?>
                <status>
                <pool>www</pool>
                <process-manager>static</process-manager>
                <start-time>1795771009</start-time>
                <start-since>1</start-since>
                <accepted-conn>4</accepted-conn>
                <listen-queue>0</listen-queue>
                <max-listen-queue>0</max-listen-queue>
                <listen-queue-len>0</listen-queue-len>
                <idle-processes>1</idle-processes>
                <active-processes>1</active-processes>
                <total-processes>2</total-processes>
                <max-active-processes>1</max-active-processes>
                <max-children-reached>0</max-children-reached>
                <slow-requests>0</slow-requests>
                <max-children>0</max-children>
                <queue-oldest-wait>0</queue-oldest-wait>
                <queue-timeouts>0</queue-timeouts>
                <queue-rejected>0</queue-rejected>
                <recycled-by-requests>0</recycled-by-requests>
                <recycled-by-memory>0</recycled-by-memory>
                <recycled-by-lifetime>0</recycled-by-lifetime>
                <processes>
                <process><pid>24321</pid><state>Idle</state><start-time>1795771009</start-time><start-since>1</start-since>\
                <requests>2</requests><request-duration>392</request-duration><request-method>GET</request-method>\
                <request-uri>/status?json</request-uri><content-length>0</content-length><user>-</user><script>-</script>\
                <last-request-cpu>0.00</last-request-cpu><last-request-memory>2097152</last-request-memory><resident-memory>0</resident-memory></process>
                <process><pid>24322</pid><state>Running</state><start-time>1795771009</start-time><start-since>1</start-since>\
                <requests>2</requests><request-duration>274</request-duration><request-method>GET</request-method>\
                <request-uri>/status?json&amp;full</request-uri><content-length>0</content-length><user>-</user>\
                <script>-</script><last-request-cpu>0.00</last-request-cpu><last-request-memory>0</last-request-memory><resident-memory>0</resident-memory>\
                </process>
                </processes>
                </status>""");
    }

    @Test
    void xmlShortEndsWithoutNewline() {
        assertThat(render(StatusFormat.XML, false)).endsWith("<recycled-by-lifetime>0</recycled-by-lifetime>\n</status>");
    }

    static final String HTML_HEAD = """
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
            <head><title>PHP-FPM Status Page</title></head>
            <body>
            <table>
            <tr><th>pool</th><td>www</td></tr>
            <tr><th>process manager</th><td>static</td></tr>
            <tr><th>start time</th><td>27/Nov/2026:09:16:49 +0000</td></tr>
            <tr><th>start since</th><td>1</td></tr>
            <tr><th>accepted conn</th><td>4</td></tr>
            <tr><th>listen queue</th><td>0</td></tr>
            <tr><th>max listen queue</th><td>0</td></tr>
            <tr><th>listen queue len</th><td>0</td></tr>
            <tr><th>idle processes</th><td>1</td></tr>
            <tr><th>active processes</th><td>1</td></tr>
            <tr><th>total processes</th><td>2</td></tr>
            <tr><th>max active processes</th><td>1</td></tr>
            <tr><th>max children reached</th><td>0</td></tr>
            <tr><th>slow requests</th><td>0</td></tr>
            <tr><th>max children</th><td>0</td></tr>
            <tr><th>queue oldest wait</th><td>0</td></tr>
            <tr><th>queue timeouts</th><td>0</td></tr>
            <tr><th>queue rejected</th><td>0</td></tr>
            <tr><th>recycled by requests</th><td>0</td></tr>
            <tr><th>recycled by memory</th><td>0</td></tr>
            <tr><th>recycled by lifetime</th><td>0</td></tr>
            </table>
            """;

    @Test
    void html() {
        assertThat(render(StatusFormat.HTML, false)).isEqualTo(HTML_HEAD + "</body></html>");
    }

    @Test
    void htmlFull() {
        assertThat(render(StatusFormat.HTML, true)).isEqualTo(HTML_HEAD + """
                <table border="1">
                <tr><th>pid</th><th>state</th><th>start time</th><th>start since</th><th>requests</th>\
                <th>request duration</th><th>request method</th><th>request uri</th><th>content length</th><th>user</th>\
                <th>script</th><th>last request cpu</th><th>last request memory</th><th>resident memory</th></tr>
                <tr><td>24321</td><td>Idle</td><td>27/Nov/2026:09:16:49 +0000</td><td>1</td><td>2</td><td>392</td>\
                <td>GET</td><td>/status?json</td><td>0</td><td>-</td><td>-</td><td>0.00</td><td>2097152</td><td>0</td></tr>
                <tr><td>24322</td><td>Running</td><td>27/Nov/2026:09:16:49 +0000</td><td>1</td><td>2</td><td>274</td>\
                <td>GET</td><td>/status?json&amp;full</td><td>0</td><td>-</td><td>-</td><td>0.00</td><td>0</td><td>0</td></tr>
                </table></body></html>""");
    }

    @Test
    void openMetricsKeepsPhpFpmsFamiliesThenAddsJfpms() {
        String expected = """
                # HELP phpfpm_up Could pool www using a static PM on PHP-FPM be reached?
                # TYPE phpfpm_up gauge
                phpfpm_up 1
                # HELP phpfpm_start_since The number of seconds since FPM has started.
                # TYPE phpfpm_start_since counter
                phpfpm_start_since 1
                # HELP phpfpm_accepted_connections The number of requests accepted by the pool.
                # TYPE phpfpm_accepted_connections counter
                phpfpm_accepted_connections 4
                # HELP phpfpm_listen_queue The number of requests in the queue of pending connections.
                # TYPE phpfpm_listen_queue gauge
                phpfpm_listen_queue 0
                # HELP phpfpm_max_listen_queue The maximum number of requests in the queue of pending connections since FPM has started.
                # TYPE phpfpm_max_listen_queue counter
                phpfpm_max_listen_queue 0
                # TYPE phpfpm_listen_queue_length gauge
                # HELP phpfpm_listen_queue_length The size of the socket queue of pending connections.
                phpfpm_listen_queue_length 0
                # HELP phpfpm_idle_processes The number of idle processes.
                # TYPE phpfpm_idle_processes gauge
                phpfpm_idle_processes 1
                # HELP phpfpm_active_processes The number of active processes.
                # TYPE phpfpm_active_processes gauge
                phpfpm_active_processes 1
                # HELP phpfpm_total_processes The number of idle + active processes.
                # TYPE phpfpm_total_processes gauge
                phpfpm_total_processes 2
                # HELP phpfpm_max_active_processes The maximum number of active processes since FPM has started.
                # TYPE phpfpm_max_active_processes counter
                phpfpm_max_active_processes 1
                # HELP phpfpm_max_children_reached The number of times, the process limit has been reached, when pm tries to start more children (works only for pm 'dynamic' and 'ondemand').
                # TYPE phpfpm_max_children_reached counter
                phpfpm_max_children_reached 0
                # HELP phpfpm_slow_requests The number of requests that exceeded your 'request_slowlog_timeout' value.
                # TYPE phpfpm_slow_requests counter
                phpfpm_slow_requests 0
                """;
        String page = render(StatusFormat.OPENMETRICS, false);
        assertThat(page).startsWith(expected + "# HELP jfpm_request_duration_seconds ").endsWith("\n# EOF\n")
                .contains("# TYPE jfpm_request_duration_seconds histogram\n"
                        + "jfpm_request_duration_seconds_bucket{le=\"0.005\"} 0\n",
                        "jfpm_request_duration_seconds_bucket{le=\"60.0\"} 0\n"
                        + "jfpm_request_duration_seconds_bucket{le=\"+Inf\"} 0\n"
                        + "jfpm_request_duration_seconds_sum 0.0\njfpm_request_duration_seconds_count 0\n",
                        "# TYPE jfpm_queue_wait_seconds histogram\n",
                        "# TYPE jfpm_queue_timeouts counter\njfpm_queue_timeouts_total 0\n",
                        "# TYPE jfpm_queue_rejected counter\njfpm_queue_rejected_total 0\n",
                        "jfpm_worker_recycles_total{reason=\"max_requests\"} 0\n"
                        + "jfpm_worker_recycles_total{reason=\"max_memory\"} 0\n"
                        + "jfpm_worker_recycles_total{reason=\"max_lifetime\"} 0\n",
                        "# TYPE jfpm_max_children gauge\njfpm_max_children 0\n")
                .doesNotContain("jfpm_worker_resident_bytes");
        assertThat(render(StatusFormat.OPENMETRICS, true)).contains("# TYPE jfpm_worker_resident_bytes gauge\n"
                + "jfpm_worker_resident_bytes{pid=\"24321\"} 0\njfpm_worker_resident_bytes{pid=\"24322\"} 0\n# EOF\n");
    }

    /** Observed with php-fpm8.2: method, URI, user and script escaped in every format but text. */
    @Test
    void escapingPerFormat() {
        String bytes = new String("/x&<\"'é/sl.php?q='1'".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        String user = new String("b&<\"'é".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        StatusSnapshot s = new StatusSnapshot("www", "static", 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, List.of(
                new StatusSnapshot.Process(1, "Running", 0, 0, 1, 5, "GE&<T", bytes, 0, user, "/tmp/s&<\"'.php", 0, 0)));
        String json = StatusWriter.of(StatusFormat.JSON, UTC).write(s, true);
        assertThat(json).contains("\"request method\":\"GE&<T\",\"request uri\":\"\\/x&<\\\"'\\u00e9\\/sl.php?q='1'\","
                + "\"content length\":0,\"user\":\"b&<\\\"'\\u00e9\",\"script\":\"\\/tmp\\/s&<\\\"'.php\"");
        String xml = StatusWriter.of(StatusFormat.XML, UTC).write(s, true);
        assertThat(new String(xml.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8))
                .contains("<request-method>GE&amp;&lt;T</request-method><request-uri>/x&amp;&lt;&quot;'é/sl.php?q='1'"
                        + "</request-uri><content-length>0</content-length><user>b&amp;&lt;&quot;'é</user>"
                        + "<script>/tmp/s&amp;&lt;&quot;'.php</script>");
        String text = StatusWriter.of(StatusFormat.TEXT, UTC).write(s, true);
        assertThat(text).contains("request method:       GE&<T\n");
    }

    @ParameterizedTest(name = "?{0}")
    @CsvSource(delimiter = '|', value = {
        "''|TEXT|false", "full|TEXT|true", "json|JSON|false", "js|JSON|false", "JSON|TEXT|false",
        "jsonx|TEXT|false", "x=1&o|XML|false", "fu&j|JSON|true", "full[]=1&j[a]=2|JSON|true",
        "f%75ll&j|JSON|true", "=1&j|JSON|false", "json.x|TEXT|false", "h&x|HTML|false",
        "openmetrics&json|JSON|false", "o|OPENMETRICS|false", "xml&html&full|HTML|true"})
    void formatChoiceAsPhpFpm(String query, StatusFormat format, boolean full) {
        assertThat(StatusFormat.choose(query)).isEqualTo(new StatusFormat.Choice(format, full));
    }
}
