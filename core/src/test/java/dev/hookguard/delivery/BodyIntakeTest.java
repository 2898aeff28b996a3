package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestRequests;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A body fed in as it arrives (non-blocking containers) meets the same bounds and verdicts as a blocking read. */
class BodyIntakeTest {

    private static final String SECRET = "intake-secret-0123456789";

    private static IncomingRequest head(String method, long declaredLength, Map<String, String> headers) {
        return TestRequests.of(method, headers, declaredLength, () -> {
            throw new AssertionError("an intake never reads the stream itself");
        }, "192.0.2.7");
    }

    private static byte[] body(int seq) {
        return MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", seq)));
    }

    @Test
    void aBodyFedInPiecesIsVerifiedParsedAndHandledOnce() {
        List<MauticBatch> handled = new ArrayList<>();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(handled::add).build();
        byte[] body = body(1);
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Webhook-Signature",
                WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body));
        for (int round = 0; round < 2; round++) {
            BodyIntake<MauticBatch> intake = pipeline.intake(head("POST", body.length, headers));
            for (int i = 0; i < body.length; i += 7) {
                assertThat(intake.offer(body, i, Math.min(7, body.length - i))).isTrue();
            }
            Admission<MauticBatch> admission = intake.finish();
            if (round == 0) {
                assertThat(admission.isAccepted()).isTrue();
                assertThat(admission.delivery().body()).isEqualTo(body);
                assertThat(admission.accepted().handled().status()).isEqualTo(200);
            } else {
                assertThat(admission.isAccepted()).as("the replay is a finished duplicate").isFalse();
                assertThat(admission.outcome().orElseThrow().status()).isEqualTo(200);
            }
        }
        assertThat(BodyBudget.processWide().bytesInFlight()).isZero();
    }

    @Test
    void aForgedBodyFedInIsRefused401() {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { }).build();
        byte[] body = body(2);
        BodyIntake<MauticBatch> intake = pipeline.intake(head("POST", -1, Map.of("Webhook-Signature", "Zm9yZ2Vk")));
        intake.offer(body, 0, body.length);
        assertThat(intake.finish().outcome().orElseThrow().status()).isEqualTo(401);
    }

    @Test
    void wrongMethodTypeOrDeclaredSizeIsRefusedBeforeAnyByteAndClosesTheConnection() {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(1024).onAny(b -> { }).build();
        Outcome get = pipeline.intake(head("GET", 10, Map.of())).refusal().orElseThrow();
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.closesConnection()).as("a body nobody reads may follow").isTrue();
        assertThat(pipeline.intake(head("POST", 10, Map.of("Content-Type", "text/plain"))).refusal().orElseThrow().status()).isEqualTo(415);
        assertThat(pipeline.intake(head("GET", 0, Map.of())).refusal().orElseThrow().closesConnection())
                .as("no body: the connection may be kept").isFalse();
        Outcome large = pipeline.intake(head("POST", 5000, Map.of())).refusal().orElseThrow();
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.closesConnection()).isTrue();
    }

    @Test
    void pastTheLimitOfferIsRefused413AndTheBudgetIsGivenBack() {
        BodyBudget budget = BodyBudget.builder().build();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(100).bodyBudget(budget).onAny(b -> { }).build();
        BodyIntake<MauticBatch> intake = pipeline.intake(head("POST", -1, Map.of()));
        assertThat(intake.offer(new byte[60], 0, 60)).isTrue();
        assertThat(budget.bytesInFlight()).as("the buffer holds what arrived, not a declared size").isEqualTo(101);
        assertThat(intake.offer(new byte[60], 0, 60)).isFalse();
        assertThat(intake.refusal().orElseThrow().status()).isEqualTo(413);
        assertThat(budget.bytesInFlight()).isZero();
        assertThatThrownBy(intake::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void manyOpenIntakesShareTheBudgetAndPastIt503WithRetryAfter() {
        BodyBudget budget = BodyBudget.builder().maxBytesInFlight(64 * 1024).build();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyBudget(budget).onAny(b -> { }).build();
        List<BodyIntake<MauticBatch>> open = new ArrayList<>();
        Outcome refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            BodyIntake<MauticBatch> intake = pipeline.intake(head("POST", 5 << 20, Map.of("Content-Length", "5242880")));
            open.add(intake);
            if (!intake.offer(new byte[] {'{'}, 0, 1)) {
                refused = intake.refusal().orElseThrow();
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.headers()).containsKey("Retry-After");
        assertThat(open).hasSize(9);
        open.forEach(BodyIntake::abandon);
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void anIntakeThatOutlivesItsDeadlineExpiresWith408() throws Exception {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyReadTimeout(Duration.ofMillis(50))
                .onAny(b -> { }).build();
        assertThat(pipeline.bodyReadTimeout()).isEqualTo(Duration.ofMillis(50));
        BodyIntake<MauticBatch> intake = pipeline.intake(head("POST", 100, Map.of()));
        assertThat(intake.offer(new byte[] {'{'}, 0, 1)).isTrue();
        Thread.sleep(80);
        assertThat(intake.offer(new byte[] {' '}, 0, 1)).as("a byte after the deadline").isFalse();
        assertThat(intake.refusal().orElseThrow().status()).isEqualTo(408);

        BodyIntake<MauticBatch> silent = pipeline.intake(head("POST", 100, Map.of()));
        Outcome expired = silent.expire();
        assertThat(expired.status()).isEqualTo(408);
        assertThat(expired.closesConnection()).isTrue();
    }
}
