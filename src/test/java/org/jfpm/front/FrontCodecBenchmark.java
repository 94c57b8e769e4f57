package org.jfpm.front;

import org.jfpm.request.RequestInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.jfpm.fastcgi.Fcgi;
import org.jfpm.fastcgi.NameValuePairs;
import org.jfpm.fastcgi.RecordScan;
import org.jfpm.fastcgi.Records;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The master's per-request codec work, on the bytes nginx and php-cgi really send:
 * finding the records of a request head and rewriting their ids, reading the few
 * params the master needs, and scanning a 1 MiB response made of php-cgi's 8 KiB
 * STDOUT records. Run with {@code bench/jmh.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrontCodecBenchmark {
    private ByteBuffer head;
    private int headEnd;
    private ByteBuffer response;

    @Setup
    public void setUp() {
        ByteArrayOutputStream pairs = new ByteArrayOutputStream();
        String[][] params = {
            {"QUERY_STRING", "a=1&b=2"}, {"REQUEST_METHOD", "GET"}, {"CONTENT_TYPE", ""}, {"CONTENT_LENGTH", ""},
            {"SCRIPT_NAME", "/page10k.php"}, {"REQUEST_URI", "/page10k.php?a=1&b=2"}, {"DOCUMENT_URI", "/page10k.php"},
            {"DOCUMENT_ROOT", "/var/www/html"}, {"SERVER_PROTOCOL", "HTTP/1.1"}, {"REQUEST_SCHEME", "http"},
            {"GATEWAY_INTERFACE", "CGI/1.1"}, {"SERVER_SOFTWARE", "nginx/1.22.1"}, {"REMOTE_ADDR", "127.0.0.1"},
            {"REMOTE_PORT", "52144"}, {"SERVER_ADDR", "127.0.0.1"}, {"SERVER_PORT", "80"},
            {"SERVER_NAME", "localhost"}, {"REDIRECT_STATUS", "200"},
            {"SCRIPT_FILENAME", "/var/www/html/page10k.php"}, {"HTTP_HOST", "127.0.0.1:18480"},
            {"HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"},
            {"HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
            {"HTTP_ACCEPT_ENCODING", "gzip, deflate, br"}, {"HTTP_COOKIE", "PHPSESSID=0123456789abcdef0123456789"},
        };
        for (String[] p : params) {
            NameValuePairs.encode(pairs, p[0], p[1]);
        }
        byte[] content = pairs.toByteArray();
        head = ByteBuffer.allocateDirect(BufferPool.SIZE);
        Records.beginRequest(head, 1, Fcgi.RESPONDER, Fcgi.KEEP_CONN);
        Records.stream(head, Fcgi.PARAMS, 1, content, 0, content.length);
        Records.header(head, Fcgi.PARAMS, 1, 0);
        Records.header(head, Fcgi.STDIN, 1, 0);
        headEnd = head.position();
        head.clear();

        response = ByteBuffer.allocateDirect(Records.paddedLength(8192) * 130 + 64);
        byte[] chunk = new byte[8192];
        for (int i = 0; i < 128; i++) {
            Records.stream(response, Fcgi.STDOUT, 1, chunk, 0, chunk.length);
        }
        Records.endRequest(response, 1, 0, Fcgi.REQUEST_COMPLETE);
        response.flip();
    }

    /** What the front does with a GET's head: every record found and renumbered. */
    @Benchmark
    public int scanAndRenumberHead() {
        int p = 0;
        int n;
        while ((n = RecordScan.scan(head, p, headEnd)) > 0) {
            RecordScan.setRequestId(head, p, 1);
            p += n;
        }
        return p;
    }

    /** The params the master reads of every request (method, SCRIPT_NAME, ...), the rest skipped. */
    @Benchmark
    public Object readRequestInfo() {
        return RequestInfo.parse(head, Records.paddedLength(Fcgi.BEGIN_BODY_LEN), headEnd, false);
    }

    /** The relay's work on a 1 MiB answer: find each record's end and rewrite its id. */
    @Benchmark
    public int scanOneMebibyteResponse() {
        int p = 0;
        int limit = response.limit();
        int n;
        while ((n = RecordScan.scan(response, p, limit)) > 0) {
            RecordScan.setRequestId(response, p, 7);
            p += n;
        }
        return p;
    }
}
