package dev.hookguard.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.testsupport.LogCapture;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;

/** The plugin says at startup what it verifies and where, as the starter does; never a secret. */
class StartupLineTest {

    @Test
    void startWritesOneLinePerEndpointWithItsPath() {
        try (LogCapture log = LogCapture.of(HookguardPlugin.class)) {
            Javalin app = Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(h -> h
                    .mautic("/webhooks/mautic", "startup-line-secret-0123").onMautic(dev.hookguard.mautic.FormSubmitted.class, f -> { }))));
            JavalinTest.test(app, (server, client) -> assertThat(log.lines()).singleElement().asString()
                    .startsWith("INFO Hookguard: /webhooks/mautic verifies").contains("mautic").doesNotContain("startup-line-secret"));
        }
    }
}
