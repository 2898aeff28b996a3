package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.spi.Exchange;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestRequests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * The exchange rule against a test adapter that implements the port and nothing else: it never settles anything
 * itself, and no key stays in flight whatever its application or its connection does.
 */
class ExchangeRuleTest {

    private static final String SECRET = "exchange-rule-secret-0123456789";
    private static final byte[] BODY = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 1, 1));

    /** An adapter: the request, what it wrote, and an application that answers as told. */
    private static final class TestExchange implements Exchange {
        final List<Integer> written = new ArrayList<>();
        final IntSupplier application;
        boolean writeFails;
        int proceeded;

        TestExchange(IntSupplier application) {
            this.application = application;
        }

        @Override
        public IncomingRequest request() {
            return TestRequests.of("POST", Map.of("Content-Type", "application/json", "Webhook-Signature",
                    WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, BODY)), BODY.length, () -> new ByteArrayInputStream(BODY), "192.0.2.7");
        }

        @Override
        public void write(Outcome outcome) throws IOException {
            if (writeFails) {
                throw new IOException("the peer went away");
            }
            written.add(outcome.status());
        }

        @Override
        public int proceed(Accepted<?> accepted) {
            proceeded++;
            return application.getAsInt();
        }

        @Override
        public boolean isCommitted() {
            return false;
        }
    }

    private final IdempotencyStore store = InMemoryIdempotencyStore.withDefaults();
    private final WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).idempotencyStore(store).build();

    @Test
    void theApplicationsTwoHundredMarksTheDeliveryDoneAndTheRetryIsADuplicate() throws Exception {
        TestExchange first = new TestExchange(() -> 204);
        Adapters.exchange(endpoint, first);
        TestExchange retry = new TestExchange(() -> 204);
        Adapters.exchange(endpoint, retry);
        assertThat(first.proceeded).isEqualTo(1);
        assertThat(retry.proceeded).as("done: not handed on again").isZero();
        assertThat(retry.written).containsExactly(200);
    }

    @Test
    void anApplicationThatThrowsIsAnswered500AndReleasedSoTheRetryIsHandled() throws Exception {
        TestExchange failing = new TestExchange(() -> {
            throw new IllegalStateException("the application failed");
        });
        Adapters.exchange(endpoint, failing);
        assertThat(failing.written).containsExactly(500);
        TestExchange retry = new TestExchange(() -> 200);
        Adapters.exchange(endpoint, retry);
        assertThat(retry.proceeded).isEqualTo(1);
    }

    @Test
    void nothingHandledIsAnswered404NotHandledAndReleased() throws Exception {
        TestExchange unhandled = new TestExchange(() -> Exchange.NOT_HANDLED);
        Adapters.exchange(endpoint, unhandled);
        assertThat(unhandled.written).containsExactly(404);
        TestExchange retry = new TestExchange(() -> 200);
        Adapters.exchange(endpoint, retry);
        assertThat(retry.proceeded).as("released, so handled where something takes it").isEqualTo(1);
    }

    @Test
    void anAdapterWhoseAnswerCannotBeWrittenStillLeavesNoKeyInFlight() throws Exception {
        TestExchange gone = new TestExchange(() -> Exchange.NOT_HANDLED);
        gone.writeFails = true;
        assertThatThrownBy(() -> Adapters.exchange(endpoint, gone)).isInstanceOf(IOException.class);
        // Not in flight (which a retry would meet as 409): released, and the retry is handed on.
        TestExchange retry = new TestExchange(() -> 200);
        Adapters.exchange(endpoint, retry);
        assertThat(retry.proceeded).isEqualTo(1);
        assertThat(retry.written).isEmpty();
    }

    @Test
    void anAdmissionIsCarriedOnOnlyByTheEndpointThatMadeIt() {
        WebhookEndpoint<MauticBatch> other = WebhookEndpoint.mautic().secrets(SECRET).build();
        Accepted<?> accepted = endpoint.admit(new TestExchange(() -> 200).request()).accepted();
        assertThatThrownBy(() -> Adapters.carryOn(other, accepted, new TestExchange(() -> 200))).isInstanceOf(IllegalArgumentException.class);
    }
}
