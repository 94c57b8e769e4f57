package org.jfpm.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhpStackTest {
    private static final Path PHP_CGI = Path.of("/usr/bin/php-cgi8.2");

    @Test
    void debianPhpCgiExportsExecutorGlobals() throws Exception {
        assumeTrue(Files.isRegularFile(PHP_CGI), "php8.2-cgi not installed");
        try (FileChannel ch = FileChannel.open(PHP_CGI, StandardOpenOption.READ)) {
            long[] sym = PhpStack.Elf.dynamicSymbol(ch, "executor_globals");
            assertThat(sym).isNotNull();
            assertThat(sym[1]).isEqualTo(PhpStack.EG_SIZE);
            assertThat(sym[0]).isPositive();
        }
        assertThat(PhpStack.untrustedReason(PHP_CGI)).isNull();
    }

    @Test
    void otherBinariesAreNotTrusted(@TempDir Path dir) throws Exception {
        Path fake = dir.resolve("php-cgi8.2");
        Files.copy(Path.of("/bin/true"), fake);
        assertThat(PhpStack.untrustedReason(fake)).contains("does not export executor_globals");
        Path other = dir.resolve("php-cgi8.3");
        Files.copy(Path.of("/bin/true"), other);
        assertThat(PhpStack.untrustedReason(other)).contains("is not php-cgi8.2");
        Path text = dir.resolve("x").resolve("php-cgi8.2");
        Files.createDirectories(text.getParent());
        Files.writeString(text, "#!/bin/sh\n");
        assertThat(PhpStack.untrustedReason(text)).isNotNull();
    }

    @Test
    void validPtrIsPhpFpms() {
        assertThat(PhpStack.validPtr(0)).isFalse();
        assertThat(PhpStack.validPtr(0x7f0000000004L)).isFalse();
        assertThat(PhpStack.validPtr(0x7f0000000008L)).isTrue();
    }
}
