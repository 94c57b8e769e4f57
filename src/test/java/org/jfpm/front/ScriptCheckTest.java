package org.jfpm.front;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pure parts of the master's script check and of listen.allowed_clients. */
class ScriptCheckTest {

    @Test
    void dotDotSegmentsAreRefusedAsPhpFpmsIsValidPath() {
        assertThat(ScriptCheck.isValidPath("/srv/www/index.php")).isTrue();
        assertThat(ScriptCheck.isValidPath("/srv/www/a..b.php")).isTrue();
        assertThat(ScriptCheck.isValidPath("/srv/www/..hidden.php")).isTrue();
        assertThat(ScriptCheck.isValidPath("/srv/www/../etc/passwd")).isFalse();
        assertThat(ScriptCheck.isValidPath("../x.php")).isFalse();
        assertThat(ScriptCheck.isValidPath("/srv/www/..")).isFalse();
    }

    @Test
    void apacheProxyPrefixesAreStripped() {
        assertThat(ScriptCheck.stripProxyPrefix("proxy:fcgi://127.0.0.1:9000/srv/www/i.php")).isEqualTo("/srv/www/i.php");
        assertThat(ScriptCheck.stripProxyPrefix("proxy:balancer://php/srv/i.php")).isEqualTo("/srv/i.php");
        assertThat(ScriptCheck.stripProxyPrefix("/srv/i.php")).isEqualTo("/srv/i.php");
    }

    @Test
    void allowedClientsTakeLiteralsOnly() {
        assertThat(AllowedClients.literal("127.0.0.1")).isNotNull();
        assertThat(AllowedClients.literal("::1")).isNotNull();
        assertThat(AllowedClients.literal("::ffff:10.0.0.1")).isEqualTo(AllowedClients.literal("10.0.0.1"));
        assertThat(AllowedClients.literal(" 127.0.0.1")).isNull();
        assertThat(AllowedClients.literal("localhost")).isNull();
        assertThat(AllowedClients.literal("127.1")).isNull();
        assertThat(AllowedClients.literal("[::1]")).isNull();
        assertThat(AllowedClients.literal("10.0.0.0/8")).isNull();
    }
}
