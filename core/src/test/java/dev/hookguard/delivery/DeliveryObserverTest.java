package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestRequests;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** An observer hears one arrival and exactly one settlement per request, whichever way the request ends. */
class DeliveryObserverTest {

    private static final String SECRET = "observer-secret-0123456789";

    private final List<String> heard = new CopyOnWriteArrayList<>();

    private final DeliveryObserver observer = scheme -> {
        heard.add("arrived " + scheme.id());
        return (status, code, eventType) -> heard.add(status + " " + code + " " + eventType);
    };

    private static Delivery signed(SignatureScheme scheme, byte[] body) {
        return new Delivery("POST", Headers.of(Map.of("Content-Type", "application/json", scheme.headerName(),
                WebhookSigner.sign(scheme, SECRET, body), "X-Instance-Id", "instance-1")), body, "192.0.2.9");
    }

    private static byte[] mauticBody(List<OutgoingEvent> events) {
        return MauticSender.queueBody(events);
    }

    private static IncomingRequest request(String method, byte[] body, Map<String, String> headers) {
        return TestRequests.of(method, headers, body.length, () -> new ByteArrayInputStream(body), "192.0.2.9");
    }

    @Test
    void handledThenDuplicateMauticDeliveriesSettleOnceEachWithTheBatchEventType() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { }).observer(observer).build();
        byte[] body = mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 1)));
        endpoint.process(signed(SignatureScheme.MAUTIC, body));
        endpoint.process(signed(SignatureScheme.MAUTIC, body));
        assertThat(heard).containsExactly("arrived mautic", "200 handled mautic.form_on_submit",
                "arrived mautic", "200 duplicate mautic.form_on_submit");
    }

    @Test
    void aBatchOfSeveralTypesIsMixedAndOneOfASingleTypeNamesIt() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { }).observer(observer).build();
        endpoint.process(signed(SignatureScheme.MAUTIC, mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 2),
                SampleEvents.of("mautic.lead_post_save_new", 3)))));
        endpoint.process(signed(SignatureScheme.MAUTIC, mauticBody(SampleEvents.of("mautic.email_on_open", 4, 3))));
        assertThat(heard).containsExactly("arrived mautic", "200 handled mixed", "arrived mautic", "200 handled mautic.email_on_open");
    }

    @Test
    void aForgedSignatureSettles401BeforeAnythingIsParsed() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { }).observer(observer).build();
        byte[] body = mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 5)));
        endpoint.process(new Delivery("POST", Headers.of(Map.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, "other", body))),
                body, "192.0.2.9"));
        assertThat(heard).containsExactly("arrived mautic", "401 signature_mismatch none");
    }

    @Test
    void aFailingHandlerSettles500AndAControllerStatusSettlesAsAnswered() {
        WebhookEndpoint<MauticBatch> failing = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> {
            throw new IllegalStateException("down");
        }).observer(observer).build();
        failing.process(signed(SignatureScheme.MAUTIC, mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 6)))));
        WebhookEndpoint<MauticBatch> controller = WebhookEndpoint.mautic().secrets(SECRET).observer(observer).build();
        Admission<MauticBatch> admission = controller.admit(signed(SignatureScheme.MAUTIC, mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 7)))));
        assertThat(heard).as("an accepted delivery settles only when it is completed").hasSize(3);
        admission.accepted().complete(204);
        admission.accepted().complete(500);
        assertThat(heard).containsExactly("arrived mautic", "500 handler_failed mautic.form_on_submit",
                "arrived mautic", "204 handled mautic.form_on_submit");
    }

    @Test
    void aMalcolmSessionIsAWorkflowSession() {
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(SECRET).onAny(s -> { }).observer(observer).build();
        endpoint.process(signed(SignatureScheme.MALCOLM, MalcolmSender.body(SampleEvents.malcolmSession(1, true))));
        assertThat(heard).containsExactly("arrived malcolm", "200 handled workflow_session");
    }

    @Test
    void blockingReadsAndIntakesSettleOnceRefusedFinishedOrAbandoned() {
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(100_000).onAny(b -> { })
                .observer(observer).build();
        byte[] body = mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 8)));
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Webhook-Signature",
                WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body));
        endpoint.process(request("POST", body, headers));
        endpoint.process(request("POST", new byte[200_000], Map.of()));
        endpoint.intake(request("GET", new byte[0], Map.of()));
        endpoint.intake(request("POST", body, headers)).abandon();
        BodyIntake<MauticBatch> whole = endpoint.intake(request("POST", body, headers));
        whole.offer(body, 0, body.length);
        whole.finish();
        whole.abandon();
        assertThat(heard).containsExactly("arrived mautic", "200 handled mautic.form_on_submit",
                "arrived mautic", "413 body_too_large none",
                "arrived mautic", "405 method_not_allowed none",
                "arrived mautic", "0 abandoned none",
                "arrived mautic", "200 duplicate mautic.form_on_submit");
    }

    @Test
    void anObserverThatThrowsDoesNotChangeTheAnswer() {
        List<String> handled = new ArrayList<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> handled.add("batch"))
                .observer(scheme -> {
                    throw new IllegalStateException("observer down");
                })
                .observer(scheme -> (status, code, eventType) -> {
                    throw new IllegalStateException("settlement down");
                }).build();
        Outcome outcome = endpoint.process(signed(SignatureScheme.MAUTIC, mauticBody(List.of(SampleEvents.of("mautic.form_on_submit", 9)))));
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(handled).containsExactly("batch");
    }
}
