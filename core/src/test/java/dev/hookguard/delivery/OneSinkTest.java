package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestRequests;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Listeners (metrics) and observers (traces) are fed from the one settlement, so they cannot disagree: an abandoned body,
 * a refusal, a duplicate and a handled delivery reach both, once each, with the same code.
 */
class OneSinkTest {

    private static final String SECRET = "one-sink-secret-0123456789";

    @Test
    void everyWayADeliveryEndsReachesTheListenerAndTheObserverAlike() {
        List<String> listened = new CopyOnWriteArrayList<>();
        List<String> observed = new CopyOnWriteArrayList<>();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { })
                .listener((scheme, status, code, nanos) -> listened.add(status + " " + code))
                .observer(scheme -> (status, code, eventType) -> observed.add(status + " " + code))
                .build();
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 1, 1));
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body));
        endpoint.intake(TestRequests.of("POST", headers, body.length, () -> new ByteArrayInputStream(body), "192.0.2.1")).abandon();
        endpoint.process(TestRequests.of("POST", headers, body.length, () -> new ByteArrayInputStream(body), "192.0.2.1"));
        endpoint.process(TestRequests.of("POST", headers, body.length, () -> new ByteArrayInputStream(body), "192.0.2.1"));
        endpoint.process(TestRequests.of("GET", Map.of(), 0, () -> new ByteArrayInputStream(new byte[0]), "192.0.2.1"));
        assertThat(listened).containsExactly("0 abandoned", "200 handled", "200 duplicate", "405 method_not_allowed");
        assertThat(observed).isEqualTo(listened);
    }
}
