package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.ProjectFiles;
import org.jfpm.testing.FcgiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * PHP's own messages as php-fpm 8.2 gives them: on FCGI_STDERR (nginx's error log) with
 * the {@code PHP message: } prefix and {@code "; "} between the messages of a request, and,
 * with catch_workers_output, in the master's log as the child's {@code NOTICE: PHP message:}
 * lines, for every combination of log_errors, error_log, catch_workers_output and
 * decorate_workers_output. The expectations were read off php-fpm8.2; run with
 * {@code -De2e.backend=php-fpm} to see it pass them.
 */
class PhpMessagesIT {
    private static final String SCRIPT = "/messages.php";

    @ParameterizedTest(name = "log_errors={0} error_log file={1} catch={2} decorate={3}")
    @CsvSource({
        "on,  no,  yes, yes", "on,  no,  yes, no", "on,  no,  no, yes", "on, no, no, no",
        "off, no,  yes, yes", "off, no,  yes, no", "off, no,  no, no",
        "on,  yes, yes, yes"})
    void phpMessagesGoWhereAndAsPhpFpmSendsThem(String logErrors, String errorLogFile, String catchOutput,
            String decorate) throws Exception {
        boolean logged = logErrors.equals("on");
        boolean toFile = errorLogFile.equals("yes");
        Jfpm.Pool pool = Jfpm.pool().maxChildren(1)
                .line("php_admin_flag[log_errors] = " + logErrors)
                .line("catch_workers_output = " + catchOutput)
                .line("decorate_workers_output = " + decorate);
        Path errors = Files.createTempFile("jfpm-php-errors", ".log");
        try {
            errors.toFile().setWritable(true, false);
            if (toFile) {
                pool.line("php_admin_value[error_log] = " + errors);
            }
            try (Jfpm jfpm = pool.start();
                 FcgiClient client = FcgiClient.connect(jfpm.listenSocket())) {
                long pid = jfpm.workerPids().getFirst();
                FcgiClient.Response response = client.request(Map.of("SCRIPT_FILENAME", scriptPath(),
                        "SCRIPT_NAME", SCRIPT, "REQUEST_METHOD", "GET", "QUERY_STRING", "long=3000"), new byte[0]);
                assertThat(response.status()).isEqualTo(500);

                List<String> messages = new ArrayList<>();
                if (logged && !toFile) {
                    messages.add("PHP Warning:  first in %s on line 5");
                }
                if (!toFile) {
                    messages.add("plain error_log call");
                }
                if (logged && !toFile) {
                    messages.add("PHP Notice:  multi\nline in %s on line 7");
                }
                if (!toFile) {
                    messages.add("tail\n");
                    messages.add("x".repeat(999) + "...");
                }
                if (logged && !toFile) {
                    messages.add("PHP Fatal error:  Uncaught Exception: boom in %s:10\nStack trace:\n#0 {main}\n"
                            + "  thrown in %s on line 10");
                }
                List<String> expected = messages.stream()
                        .map(m -> "PHP message: " + m.replace("%s", scriptPath())).toList();

                assertThat(response.stderr()).isEqualTo(String.join("; ", expected));

                List<String> childLines = new ArrayList<>();
                for (String m : expected) {
                    String text = "NOTICE: " + m;
                    for (String l : text.split("\n")) {
                        childLines.add(l);
                    }
                }
                if (catchOutput.equals("yes") && !childLines.isEmpty()) {
                    List<String> wanted = decorate.equals("yes") ? decorated(childLines, pid) : childLines;
                    jfpm.awaitLog(Pattern.quote(wanted.getLast()) + "$", Duration.ofSeconds(10));
                    assertThat(said(jfpm, decorate.equals("yes"))).containsExactlyElementsOf(wanted);
                } else {
                    assertThat(said(jfpm, true)).isEmpty();
                    assertThat(jfpm.log().lines()).noneMatch(l -> l.contains("PHP message"));
                }
                if (toFile) {
                    assertThat(Files.readString(errors)).contains("PHP Warning:  first in ")
                            .contains("PHP Fatal error:  Uncaught Exception: boom").doesNotContain("PHP message");
                }
            }
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static String scriptPath() {
        return ProjectFiles.phpDocroot().resolve(SCRIPT.substring(1)).toString();
    }

    /** The master's log lines the child's stderr made: decorated ones, or the raw (undated) ones. */
    private static List<String> said(Jfpm jfpm, boolean decorated) {
        return jfpm.log().lines().stream()
                .filter(l -> decorated ? l.contains(" said into stderr: \"") : !l.startsWith("["))
                .map(l -> l.replaceFirst("^\\[[^]]*\\] ", ""))
                .toList();
    }

    /**
     * The child's lines as the master logs them with decorate_workers_output: each in
     * quotes after the child's name, a line too long for log_limit (1024 with the
     * timestamp) continued in as many more as it takes (fpm_stdio.c).
     */
    private static List<String> decorated(List<String> childLines, long pid) {
        String prefix = "WARNING: [pool www] child " + pid + " said into stderr: \"";
        int room = 1023 - "[05-Dec-2026 10:00:00] ".length() - prefix.length() - 1;
        List<String> out = new ArrayList<>();
        for (String l : childLines) {
            for (int i = 0; i < l.length(); i += room) {
                out.add(prefix + l.substring(i, Math.min(l.length(), i + room)) + "\"");
            }
        }
        return out;
    }

    /** Through nginx, the messages reach its error log as php-fpm's do. */
    @Test
    void nginxLogsThePhpMessagePrefix() throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).start();
             Http http = new Http(nginx.baseUrl())) {
            assertThat(http.get(SCRIPT).statusCode()).isEqualTo(500);
            String expected = "FastCGI sent in stderr: \"PHP message: PHP Warning:  first in " + scriptPath()
                    + " on line 5; PHP message: plain error_log call; PHP message: PHP Notice:  multi\nline in ";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!nginx.errorLog().contains(expected) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nginx.errorLog()).contains(expected);
        }
    }
}
