package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.LogCapture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The application's own handler failure is visible to it: one ERROR entry with the stack trace (classes, frames,
 * causes), the messages withheld unless the application allows them, since a message can quote payload values.
 */
class HandlerFailureLogTest {

    private static final String SECRET = "failure-log-secret-0123456789";
    private static final String PAYLOAD_VALUE = "jane.doe@example.com";

    /** The application's handler, named so that its frame is recognisable in the trace. */
    static final class FailingIntake {
        static void openIssue(MauticBatch batch) {
            try {
                Integer.parseInt("not a number");
            } catch (NumberFormatException e) {
                throw new IllegalStateException("could not open an issue for " + PAYLOAD_VALUE, e);
            }
        }
    }

    private static Delivery signed(byte[] body) {
        return new Delivery("POST", Headers.of(Map.of("Content-Type", "application/json", SignatureScheme.MAUTIC.headerName(),
                WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body))), body, "192.0.2.9");
    }

    private static byte[] body(int seq) {
        return MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", seq, 1));
    }

    private static String onlyErrorEntry(LogCapture log) {
        List<String> errors = log.lines().stream().filter(l -> l.startsWith("SEVERE")).toList();
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void directModeLogsTheStackTraceWithItsCauseAndWithholdsTheMessages() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(FailingIntake::openIssue).build();
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            assertThat(endpoint.process(signed(body(1))).status()).isEqualTo(500);
            String entry = onlyErrorEntry(log);
            assertThat(entry).contains("the webhook handler failed")
                    .contains("java.lang.IllegalStateException (message withheld)")
                    .contains("Caused by: java.lang.NumberFormatException (message withheld)")
                    .contains("HandlerFailureLogTest$FailingIntake.openIssue(HandlerFailureLogTest.java:")
                    .doesNotContain(PAYLOAD_VALUE).doesNotContain("not a number");
        }
    }

    @Test
    void directModeShowsTheMessagesWhenTheApplicationAllowsThem() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(FailingIntake::openIssue)
                .logExceptionMessages(true).build();
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            endpoint.process(signed(body(2)));
            assertThat(onlyErrorEntry(log)).contains("could not open an issue for " + PAYLOAD_VALUE)
                    .contains("HandlerFailureLogTest$FailingIntake.openIssue(HandlerFailureLogTest.java:");
        }
    }

    @Test
    void anErrorThrownByTheHandlerIsLoggedWithItsTraceAndReleasesTheKey() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(batch -> {
            throw new AssertionError("the handler's own assertion about " + PAYLOAD_VALUE);
        }).build();
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            assertThat(endpoint.process(signed(body(3))).status()).isEqualTo(500);
            assertThat(onlyErrorEntry(log)).contains("java.lang.AssertionError (message withheld)").doesNotContain(PAYLOAD_VALUE);
        }
        assertThat(endpoint.process(signed(body(3))).status()).as("the key was released, so the retry is handled (and fails again), not 409")
                .isEqualTo(500);
    }

    @Test
    void inboxModeLogsTheStoredDeliverysFailureOnceWithItsTraceAndRethrowsForTheRetry() throws Exception {
        List<InboxDelivery> stored = new CopyOnWriteArrayList<>();
        DeliveryInbox inbox = delivery -> {
            stored.add(delivery);
            return delivery.parts().size();
        };
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(FailingIntake::openIssue).inbox(inbox).build();
        assertThat(endpoint.process(signed(body(4))).status()).isEqualTo(202);
        InboxDelivery.Part part = stored.get(0).parts().get(0);
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            assertThatThrownBy(() -> Adapters.storedHandler(endpoint).handle(part.body(), stored.get(0).headers(), stored.get(0).tenant(), part.key()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining(PAYLOAD_VALUE);
            assertThat(onlyErrorEntry(log)).contains("the webhook handler failed on a stored mautic delivery")
                    .contains("HandlerFailureLogTest$FailingIntake.openIssue(HandlerFailureLogTest.java:")
                    .contains("Caused by: java.lang.NumberFormatException (message withheld)")
                    .doesNotContain(PAYLOAD_VALUE);
        }
    }
}
