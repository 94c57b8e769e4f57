package org.jfpm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/configuration.md must list every directive of the registry, so the page cannot drift. */
class RegistryDocumentationTest {

    @Test
    void everyDirectiveIsDocumented() throws IOException {
        String page = Files.readString(Path.of("docs/configuration.md"));
        Stream.concat(GlobalDirectives.ALL.stream(), PoolDirectives.ALL.stream())
                .forEach(d -> assertThat(page).as(d.name()).contains("| `" + d.name() + "` |"));
    }

    @Test
    void registryNamesAreUniquePerScope() {
        assertThat(GlobalDirectives.ALL.stream().map(Directive::name)).doesNotHaveDuplicates();
        assertThat(PoolDirectives.ALL.stream().map(Directive::name)).doesNotHaveDuplicates();
    }
}
