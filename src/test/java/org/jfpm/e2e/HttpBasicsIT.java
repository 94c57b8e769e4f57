package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Site;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a browser sees through nginx: query strings, request and response bodies, headers. */
class HttpBasicsIT {

    // one site per test: a request that breaks the backend must not fail the next tests too
    Site site;

    @BeforeEach
    void start() {
        site = Site.start(4);
    }

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void getPassesTheQueryString() {
        HttpResponse<byte[]> r = site.http.get("/echo.php?a=1&b=x%20y&list[]=p&list[]=q");

        assertThat(r.statusCode()).as(site.logs()).isEqualTo(200);
        assertThat(Http.text(r)).contains(
                "method=GET\n",
                "query=a=1&b=x%20y&list[]=p&list[]=q\n",
                "get.a=1\n",
                "get.b=x y\n",
                "get.list=p,q\n",
                "script=/echo.php\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain;charset=UTF-8");
    }

    @Test
    void postOfOneMebibyteArrivesWhole() {
        byte[] body = new byte[1024 * 1024];
        new Random(42).nextBytes(body);

        HttpResponse<byte[]> r = site.http.post("/md5.php", body, "application/octet-stream");

        assertThat(r.statusCode()).as(site.logs()).isEqualTo(200);
        assertThat(Http.text(r)).contains(
                "md5=" + Http.md5Hex(body) + "\n",
                "length=1048576\n",
                "content_length=1048576\n");
    }

    @Test
    void fiveMebibyteResponseArrivesIntact() {
        HttpResponse<byte[]> r = site.http.get("/big.php?mib=5");

        assertThat(r.statusCode()).as(site.logs()).isEqualTo(200);
        assertThat(r.body().length).as("body length\n%s", site.logs()).isEqualTo(5 * 1024 * 1024);
        assertThat(Http.md5Hex(r.body())).isEqualTo(Http.md5Hex(bigPhpOutput(5)));
    }

    @Test
    void statusHeadersAndCookiesSetByPhp() {
        HttpResponse<byte[]> r = site.http.get("/status.php?code=418");

        assertThat(r.statusCode()).as(site.logs()).isEqualTo(418);
        assertThat(r.headers().firstValue("X-Jfpm-Test")).hasValue("yes");
        assertThat(r.headers().allValues("X-Multi")).containsExactly("one", "two");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        List<String> cookies = r.headers().allValues("Set-Cookie");
        assertThat(cookies).hasSize(3);
        assertThat(cookies.get(0)).isEqualTo("first=one");
        assertThat(cookies.get(1)).startsWith("second=two").contains("path=/sub", "HttpOnly");
        assertThat(cookies.get(2)).isEqualTo("third=three%20three");
        assertThat(Http.text(r)).isEqualTo("status=418\n");
    }

    @Test
    void redirectAndNotFoundStatuses() {
        HttpResponse<byte[]> redirect = site.http.get("/status.php?code=302&location=/elsewhere");
        assertThat(redirect.statusCode()).as(site.logs()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/elsewhere");

        HttpResponse<byte[]> missing = site.http.get("/no-such-script.php");
        assertThat(missing.statusCode()).as(site.logs()).isEqualTo(404);
    }

    /** What big.php?mib=N prints: 1 KiB lines, each an 8-digit index, dots, newline. */
    static byte[] bigPhpOutput(int mib) {
        StringBuilder sb = new StringBuilder(mib * 1024 * 1024);
        String pad = ".".repeat(1024 - 9);
        for (int i = 0; i < mib * 1024; i++) {
            sb.append(String.format("%08d", i)).append(pad).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
