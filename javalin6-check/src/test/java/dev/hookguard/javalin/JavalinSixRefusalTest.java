package dev.hookguard.javalin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javalin.Javalin;
import org.junit.jupiter.api.Test;

/**
 * The plugin's jar, built for Javalin 7, on a Javalin 6 application: Javalin 6 calls a plugin's
 * {@code onInitialize(JavalinConfig)}, so without a refusal the plugin would register nothing and every delivery
 * would get Javalin's own 404, with no error and no log.
 */
class JavalinSixRefusalTest {

    @Test
    void javalinSixIsOnTheClasspath() {
        assertThat(Javalin.class.getPackage().getImplementationVersion()).startsWith("6.");
    }

    @Test
    void creatingTheAppFailsNamingTheVersionFoundAndTheOneNeeded() {
        assertThatThrownBy(() -> Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(hookguard -> hookguard
                        .mautic("/webhooks/mautic", "a-secret-long-enough-for-hmac-use")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs Javalin 7")
                .hasMessageContaining("found Javalin 6.7.0");
    }
}
