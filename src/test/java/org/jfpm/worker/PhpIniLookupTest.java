package org.jfpm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** php-fpm's php.ini lookup (main/php_ini.c), turned into php-cgi's -c and PHP_INI_SCAN_DIR. */
class PhpIniLookupTest {

    private static PhpIniLookup.Resolved resolve(Path c, boolean n, Map<String, String> env, Path fpm) {
        return PhpIniLookup.resolve(c, n, env, Optional.of(fpm));
    }

    private static Path fpmDir(Path tmp) throws Exception {
        Path fpm = Files.createDirectories(tmp.resolve("etc/php/8.2/fpm"));
        Files.writeString(fpm.resolve("php.ini"), "");
        return fpm;
    }

    @Test
    void byDefaultPhpFpmsOwnIniAndConfD(@TempDir Path tmp) throws Exception {
        Path fpm = fpmDir(tmp);
        PhpIniLookup.Resolved r = resolve(null, false, Map.of(), fpm);
        assertThat(r.args()).containsExactly("-c", fpm.resolve("php.ini").toString());
        assertThat(r.scanDir()).isEqualTo(fpm.resolve("conf.d").toString());
    }

    @Test
    void phprcNamesADirectorySearchedFirstOrAFile(@TempDir Path tmp) throws Exception {
        Path fpm = fpmDir(tmp);
        Path site = Files.createDirectories(tmp.resolve("site"));
        assertThat(resolve(null, false, Map.of("PHPRC", site.toString()), fpm).args())
                .as("nothing there: the compiled-in one").containsExactly("-c", fpm.resolve("php.ini").toString());
        Files.writeString(site.resolve("php.ini"), "");
        assertThat(resolve(null, false, Map.of("PHPRC", site.toString()), fpm).args())
                .containsExactly("-c", site.resolve("php.ini").toString());
        Path file = Files.writeString(tmp.resolve("custom.ini"), "");
        assertThat(resolve(null, false, Map.of("PHPRC", file.toString()), fpm).args())
                .containsExactly("-c", file.toString());
        assertThat(resolve(null, false, Map.of("PHPRC", ""), fpm).args()).as("empty: unset")
                .containsExactly("-c", fpm.resolve("php.ini").toString());
    }

    @Test
    void theSapiSpecificFileAnywhereBeatsPhpIni(@TempDir Path tmp) throws Exception {
        Path fpm = fpmDir(tmp);
        Path site = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(site.resolve("php.ini"), "");
        Files.writeString(fpm.resolve("php-fpm-fcgi.ini"), "");
        assertThat(resolve(null, false, Map.of("PHPRC", site.toString()), fpm).args())
                .containsExactly("-c", fpm.resolve("php-fpm-fcgi.ini").toString());
    }

    @Test
    void dashCLooksOnlyThereAndWinsOverPhprc(@TempDir Path tmp) throws Exception {
        Path fpm = fpmDir(tmp);
        Path dir = Files.createDirectories(tmp.resolve("c"));
        Map<String, String> env = Map.of("PHPRC", fpm.toString());
        assertThat(resolve(dir, false, env, fpm).args()).as("nothing in it: no php.ini at all")
                .containsExactly("-c", dir.resolve("php.ini").toString());
        Files.writeString(dir.resolve("php.ini"), "");
        assertThat(resolve(dir, false, env, fpm).args()).containsExactly("-c", dir.resolve("php.ini").toString());
        Path file = tmp.resolve("given.ini");
        assertThat(resolve(file, false, env, fpm).args()).containsExactly("-c", file.toString());
    }

    @Test
    void phpIniScanDirReplacesTheCompiledInOneAndAnEmptySegmentMeansIt(@TempDir Path tmp) throws Exception {
        Path fpm = fpmDir(tmp);
        String confD = fpm.resolve("conf.d").toString();
        assertThat(resolve(null, false, Map.of("PHP_INI_SCAN_DIR", "/srv/ini"), fpm).scanDir()).isEqualTo("/srv/ini");
        assertThat(resolve(null, false, Map.of("PHP_INI_SCAN_DIR", ":/srv/ini"), fpm).scanDir())
                .isEqualTo(confD + ":/srv/ini");
        assertThat(resolve(null, false, Map.of("PHP_INI_SCAN_DIR", "/srv/ini:"), fpm).scanDir())
                .isEqualTo("/srv/ini:" + confD);
        assertThat(resolve(null, false, Map.of("PHP_INI_SCAN_DIR", ""), fpm).scanDir()).as("empty: no scan").isEmpty();
    }

    @Test
    void dashNMeansNeither(@TempDir Path tmp) throws Exception {
        PhpIniLookup.Resolved r = resolve(tmp, true, Map.of("PHPRC", "/x", "PHP_INI_SCAN_DIR", "/y"), fpmDir(tmp));
        assertThat(r.args()).isEqualTo(List.of("-n"));
        assertThat(r.scanDir()).isNull();
    }
}
