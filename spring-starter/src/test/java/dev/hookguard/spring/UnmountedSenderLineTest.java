package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.testsupport.LogCapture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * A sender whose secret never reached the application (a typo in a variable's name) is named at startup, with why
 * no endpoint is mounted for it, instead of a quiet start and 404s for the sender.
 */
class UnmountedSenderLineTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class));

    @Test
    void aSenderWithoutSecretIsNamedWithTheReasonAndAMountedOneIsNot() {
        try (LogCapture log = LogCapture.of(HookguardAutoConfiguration.class)) {
            runner.withPropertyValues("hookguard.mautic.secrets=unmounted-line-secret-0123", "hookguard.idempotency.store=memory")
                    .run(context -> {
                        assertThat(context).hasNotFailed();
                        assertThat(log.lines()).contains("INFO Hookguard: no malcolm endpoint is mounted: hookguard.malcolm.secrets is not set")
                                .noneMatch(line -> line.contains("no mautic endpoint"))
                                .noneMatch(line -> line.contains("unmounted-line-secret"));
                    });
        }
    }

    @Test
    void anEndpointSwitchedOffSaysSo() {
        try (LogCapture log = LogCapture.of(HookguardAutoConfiguration.class)) {
            runner.withPropertyValues("hookguard.mautic.secrets=unmounted-line-secret-0123", "hookguard.mautic.enabled=false",
                    "hookguard.idempotency.store=memory").run(context -> assertThat(log.lines())
                    .contains("INFO Hookguard: no mautic endpoint is mounted: hookguard.mautic.enabled is false"));
        }
    }
}
