package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.ContactIdentified;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.PageHit;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed handlers in core: what each receives, and what is answered when none takes a delivery. */
class RoutingTest {

    private static final String SECRET = "routing-secret-0123456789";

    private static Delivery mautic(byte[] body) {
        return new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body),
                "Content-Type", "application/json"), body, "192.0.2.9");
    }

    @Test
    void typedHandlersReceiveTheirEventsInBodyOrderAndOnAnyTheWholeBatchFirst() {
        List<String> calls = new ArrayList<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET)
                .on(FormSubmitted.class, form -> calls.add("form " + form.submission().id().orElseThrow()))
                .on(MauticEvent.class, event -> calls.add("event " + event.type()))
                .onAny(batch -> calls.add("batch of " + batch.events().size()))
                .build();
        assertThat(endpoint.hasHandlers()).isTrue();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.lead_post_save_new", 1), SampleEvents.of("mautic.form_on_submit", 2)));
        assertThat(endpoint.process(mautic(body)).status()).isEqualTo(200);
        assertThat(calls).containsExactly("batch of 2", "event mautic.lead_post_save_new", "form 20002", "event mautic.form_on_submit");
    }

    @Test
    void aDeliveryNoHandlerTakesIs404AndReleasedSoItIsHandledOnceAHandlerExists() {
        List<PageHit> hits = new ArrayList<>();
        InMemoryStoreProbe store = new InMemoryStoreProbe();
        WebhookEndpoint<MauticBatch> onlyHits = WebhookEndpoint.mautic().secrets(SECRET).idempotencyStore(store.store)
                .on(PageHit.class, hits::add).build();
        byte[] contact = MauticSender.queueBody(List.of(SampleEvents.of("mautic.lead_post_save_new", 3)));
        Outcome outcome = onlyHits.process(mautic(contact));
        assertThat(outcome.status()).isEqualTo(404);
        assertThat(new String(outcome.body())).contains("not_handled");
        assertThat(onlyHits.process(mautic(contact)).status()).as("released, not a finished duplicate").isEqualTo(404);

        List<ContactIdentified> contacts = new ArrayList<>();
        WebhookEndpoint<MauticBatch> withContacts = WebhookEndpoint.mautic().secrets(SECRET).idempotencyStore(store.store)
                .on(ContactIdentified.class, contacts::add).build();
        assertThat(withContacts.process(mautic(contact)).status()).isEqualTo(200);
        assertThat(contacts).hasSize(1);
        assertThat(hits).isEmpty();
    }

    @Test
    void aMalcolmSessionIsRoutedAsItself() {
        List<WorkflowSession> sessions = new ArrayList<>();
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).on(WorkflowSession.class, sessions::add).build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(4, true));
        Delivery delivery = new Delivery("POST", Headers.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body)), body, "192.0.2.9");
        assertThat(endpoint.process(delivery).status()).isEqualTo(200);
        assertThat(sessions).extracting(WorkflowSession::id).containsExactly(sessions.get(0).id());
    }

    @Test
    void withoutHandlersTheEndpointOnlyAdmitsAndProcessSaysWhatToDo() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).build();
        assertThat(endpoint.hasHandlers()).isFalse();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 5)));
        assertThatThrownBy(() -> endpoint.process(mautic(body))).isInstanceOf(IllegalStateException.class).hasMessageContaining("on(...)");
    }

    /** A store the test keeps, to show a release really forgot the claim. */
    private static final class InMemoryStoreProbe {
        final dev.hookguard.idempotency.IdempotencyStore store = dev.hookguard.idempotency.InMemoryIdempotencyStore.withDefaults();
    }
}
