package org.jfpm.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminLockTest {

    private static Prelude.Settings php(String version, boolean opcache, boolean ffi, String ffiEnable, boolean zts,
            String system) {
        return new Prelude.Settings("", "", true, false, version, "", opcache, ffi, ffiEnable, zts, system);
    }

    private static final String DEBIAN = "Linux host 6.1.0 #1 SMP x86_64";

    @Test
    void debiansPhpCgiCanBeLockedUnlessItsWorkersAreRoot() {
        assertThat(AdminLock.problem(php("8.2.36", true, true, "preload", false, DEBIAN), false)).isNull();
        assertThat(AdminLock.problem(php("8.2.36", true, true, "preload", false, DEBIAN), true))
                .contains("run as root");
    }

    @Test
    void eachMissingPieceIsNamed() {
        assertThat(AdminLock.problem(php("8.2.36", false, true, "preload", false, DEBIAN), false)).contains("opcache");
        assertThat(AdminLock.problem(php("8.2.36", true, false, "preload", false, DEBIAN), false)).contains("no FFI");
        assertThat(AdminLock.problem(php("8.2.36", true, true, "0", false, DEBIAN), false)).isEqualTo("ffi.enable is off");
        assertThat(AdminLock.problem(php("8.3.1", true, true, "preload", false, DEBIAN), false)).contains("PHP 8.3.1");
        assertThat(AdminLock.problem(php("8.2.36", true, true, "1", true, DEBIAN), false)).contains("(ZTS)");
        assertThat(AdminLock.problem(php("8.2.36", true, true, "1", false, "Linux host aarch64"), false))
                .contains("x86_64");
    }

    @Test
    void theLockRunsAsPreloadOverTheAdminNamesThenThePoolsOwnPreload() {
        AdminLock lock = new AdminLock(Path.of("/run/jfpm/www/admin-lock.php"), "/srv/preload.php");
        assertThat(lock.defines(List.of("memory_limit", "display_errors"))).containsExactly(
                java.util.Map.entry("opcache.preload", "/run/jfpm/www/admin-lock.php"),
                java.util.Map.entry("jfpm.admin_names", "memory_limit,display_errors"),
                java.util.Map.entry("jfpm.user_preload", "/srv/preload.php"));
        assertThat(new AdminLock(Path.of("/x.php"), "").defines(List.of("a"))).doesNotContainKey("jfpm.user_preload");
    }
}
