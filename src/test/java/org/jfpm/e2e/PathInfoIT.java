package org.jfpm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.jfpm.e2e.support.Http;
import org.jfpm.e2e.support.Jfpm;
import org.jfpm.e2e.support.Nginx;
import org.jfpm.e2e.support.ProjectFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * SCRIPT_NAME, PATH_INFO and their kin for a path with extra segments, under nginx with
 * and without {@code fastcgi_split_path_info}, and {@code cgi.fix_pathinfo} on and off:
 * what PHP sees and what the answer is, as php-fpm 8.2 does it (php-src's
 * sapi/fpm/fpm/fpm_main.c {@code init_request_info}). The expectations were read off
 * php-fpm8.2; {@code -De2e.backend=php-fpm} passes them too.
 */
class PathInfoIT {

    private static final String SPLIT = """
            location ~ [^/]\\.php(/|$) {
                fastcgi_split_path_info ^(.+?\\.php)(/.*)$;
                include /etc/nginx/fastcgi_params;
                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                fastcgi_param PATH_INFO $fastcgi_path_info;
                fastcgi_pass php_backend;
            }
            """;
    private static final String WHOLE = """
            location ~ [^/]\\.php(/|$) {
                include /etc/nginx/fastcgi_params;
                fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
                fastcgi_pass php_backend;
            }
            """;

    private static final String EXPECT_SPLIT_1 = """
            200
            SCRIPT_NAME='/vars.php'
            SCRIPT_FILENAME='$DOC/vars.php'
            PATH_INFO='/a/b'
            PATH_TRANSLATED=-
            PHP_SELF='/vars.php/a/b'
            ORIG_SCRIPT_NAME=-
            ORIG_PATH_INFO=-
            ORIG_PATH_TRANSLATED=-
            ORIG_SCRIPT_FILENAME=-
            DOCUMENT_ROOT='$DOC'""";

    private static final String EXPECT_SPLIT_0 = """
            200
            SCRIPT_NAME='/vars.php'
            SCRIPT_FILENAME='$DOC/vars.php'
            PATH_INFO='/a/b'
            PATH_TRANSLATED=-
            PHP_SELF='/a/b'
            ORIG_SCRIPT_NAME=-
            ORIG_PATH_INFO=-
            ORIG_PATH_TRANSLATED=-
            ORIG_SCRIPT_FILENAME=-
            DOCUMENT_ROOT='$DOC'""";

    private static final String EXPECT_WHOLE_1 = """
            200
            SCRIPT_NAME='/vars.php/a/b'
            SCRIPT_FILENAME='$DOC/vars.php'
            PATH_INFO=-
            PATH_TRANSLATED='$DOC'
            PHP_SELF='/vars.php/a/b'
            ORIG_SCRIPT_NAME=-
            ORIG_PATH_INFO=-
            ORIG_PATH_TRANSLATED=-
            ORIG_SCRIPT_FILENAME='$DOC/vars.php/a/b'
            DOCUMENT_ROOT='$DOC'""";

    private static final String EXPECT_WHOLE_0 = """
            403
            Access denied.""";

    private static final String EXPECT_PLAIN_1 = """
            200
            SCRIPT_NAME='/vars.php'
            SCRIPT_FILENAME='$DOC/vars.php'
            PATH_INFO=''
            PATH_TRANSLATED=-
            PHP_SELF='/vars.php'
            ORIG_SCRIPT_NAME=-
            ORIG_PATH_INFO=-
            ORIG_PATH_TRANSLATED=-
            ORIG_SCRIPT_FILENAME=-
            DOCUMENT_ROOT='$DOC'""";

    private static final String EXPECT_PLAIN_0 = """
            200
            SCRIPT_NAME='/vars.php'
            SCRIPT_FILENAME='$DOC/vars.php'
            PATH_INFO=-
            PATH_TRANSLATED=-
            PHP_SELF='/vars.php'
            ORIG_SCRIPT_NAME=-
            ORIG_PATH_INFO=-
            ORIG_PATH_TRANSLATED=-
            ORIG_SCRIPT_FILENAME=-
            DOCUMENT_ROOT='$DOC'""";

    private static final String EXPECT_MISSING_0 = """
            404
            No input file specified.""";

    private static final String EXPECT_MISSING_SPLIT_0 = """
            404
            No input file specified.""";

    private static final String EXPECT_MISSING_1 = """
            404
            File not found.""";

    @ParameterizedTest(name = "split={0} cgi.fix_pathinfo={1} {2}")
    @CsvSource(delimiter = '|', value = {
        "yes | 1 | /vars.php/a/b?q=1 | EXPECT_SPLIT_1",
        "yes | 0 | /vars.php/a/b?q=1 | EXPECT_SPLIT_0",
        "no  | 1 | /vars.php/a/b?q=1 | EXPECT_WHOLE_1",
        "no  | 0 | /vars.php/a/b?q=1 | EXPECT_WHOLE_0",
        "yes | 1 | /vars.php?q=1     | EXPECT_PLAIN_1",
        "no  | 0 | /vars.php         | EXPECT_PLAIN_0",
        "no  | 0 | /missing.php      | EXPECT_MISSING_0",
        "yes | 0 | /missing.php/x    | EXPECT_MISSING_SPLIT_0",
        "no  | 1 | /missing.php/x    | EXPECT_MISSING_1"})
    void cgiVariablesOfAPathWithExtraSegments(String split, String fixPathinfo, String uri, String expected)
            throws Exception {
        try (Jfpm jfpm = Jfpm.pool().maxChildren(1).line("php_admin_value[cgi.fix_pathinfo] = " + fixPathinfo).start();
             Nginx nginx = Nginx.passingTo(jfpm.nginxAddress()).serverExtra(split.equals("yes") ? SPLIT : WHOLE)
                     .start();
             Http http = new Http(nginx.baseUrl())) {
            HttpResponse<byte[]> r = http.get(uri);
            String doc = ProjectFiles.phpDocroot().toString();
            String seen = r.statusCode() + "\n" + Http.text(r).replace(doc, "$DOC");
            assertThat(seen.stripTrailing()).isEqualTo(expected(expected));
        }
    }

    private static String expected(String name) {
        return switch (name) {
            case "EXPECT_SPLIT_1" -> EXPECT_SPLIT_1;
            case "EXPECT_SPLIT_0" -> EXPECT_SPLIT_0;
            case "EXPECT_WHOLE_1" -> EXPECT_WHOLE_1;
            case "EXPECT_WHOLE_0" -> EXPECT_WHOLE_0;
            case "EXPECT_PLAIN_1" -> EXPECT_PLAIN_1;
            case "EXPECT_PLAIN_0" -> EXPECT_PLAIN_0;
            case "EXPECT_MISSING_0" -> EXPECT_MISSING_0;
            case "EXPECT_MISSING_SPLIT_0" -> EXPECT_MISSING_SPLIT_0;
            case "EXPECT_MISSING_1" -> EXPECT_MISSING_1;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
