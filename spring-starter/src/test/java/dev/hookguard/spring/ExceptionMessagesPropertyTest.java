package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.LogCapture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** {@code hookguard.log-exception-messages} reaches the endpoints: a failing handler's log entry withholds messages unless it is true. */
class ExceptionMessagesPropertyTest {

    private static final String SECRET = "exception-messages-secret-0123";
    private static final String PAYLOAD_VALUE = "quoted.payload@example.com";

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(HookguardAutoConfiguration.class))
            .withBean(HookguardEndpointCustomizer.class, () -> builder -> builder.onAny(payload -> {
                throw new IllegalStateException("no issue for " + PAYLOAD_VALUE);
            }))
            .withPropertyValues("hookguard.mautic.secrets=" + SECRET, "hookguard.idempotency.store=memory");

    private static List<String> failureLogged(WebApplicationContextRunner runner) {
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 1, 1));
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            runner.run(context -> {
                WebhookEndpoint<?> endpoint = context.getBean("hookguardMauticEndpoint", WebhookEndpoint.class);
                assertThat(endpoint.process(new Delivery("POST", Headers.of("Webhook-Signature",
                        WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body)), body, "192.0.2.1")).status()).isEqualTo(500);
            });
            return log.lines().stream().filter(l -> l.startsWith("SEVERE")).toList();
        }
    }

    @Test
    void byDefaultTheStackTraceIsLoggedWithoutTheMessage() {
        assertThat(failureLogged(runner)).singleElement().asString()
                .contains("java.lang.IllegalStateException (message withheld)").doesNotContain(PAYLOAD_VALUE);
    }

    @Test
    void thePropertyLetsTheMessageThrough() {
        assertThat(failureLogged(runner.withPropertyValues("hookguard.log-exception-messages=true"))).singleElement().asString()
                .contains("no issue for " + PAYLOAD_VALUE);
    }
}
