package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.Attempt;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import dev.hookguard.signature.SignatureScheme;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A handler slower than the sender's patience: the sender gives up and retries, and the retry is not handled twice. */
class SlowHandlerTest {

    private JettyApp app;

    @AfterEach
    void stop() throws Exception {
        app.close();
    }

    @Test
    void retryOfADeliveryStillBeingHandledIsNeverHandledTwice() throws Exception {
        RecordingServlet servlet = new RecordingServlet();
        servlet.sleepMillis = 2_000;
        app = JettyApp.create()
                .filter(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SchemeFixture.SECRET).build()), "/webhooks/mautic")
                .servlet(servlet, "/webhooks/mautic").start();

        SendReport report = MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET)
                .retryPolicy(RetryPolicy.RETRYING).requestTimeout(Duration.ofMillis(500)).retryDelay(Duration.ofMillis(300)).maxRuns(30)
                .build().sendQueued(SampleEvents.of("mautic.form_on_submit", 1, 3));

        assertThat(report.allDelivered()).as(report.summary()).isTrue();
        assertThat(report.attempts().get(0).status()).as("the first attempt timed out").isZero();
        assertThat(report.attempts()).extracting(Attempt::status).contains(409);
        assertThat(servlet.handledByKey).hasSize(3);
        assertThat(servlet.handledByKey.values()).allMatch(count -> count.get() == 1);
    }
}
