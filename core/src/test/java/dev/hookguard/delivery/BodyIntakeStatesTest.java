package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import dev.hookguard.testsupport.TestRequests;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The intake's public face over the state machine: each event out of order, and how the delivery settles. */
class BodyIntakeStatesTest {

    private static final String SECRET = "intake-states-secret-0123456789";

    private final List<String> settled = new CopyOnWriteArrayList<>();
    private final BodyBudget budget = BodyBudget.builder().build();
    private final WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(4096).bodyBudget(budget)
            .onAny(b -> { }).observer(scheme -> (status, code, eventType) -> settled.add(status + " " + code)).build();
    private final byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 31)));

    private BodyIntake<MauticBatch> intake() {
        Map<String, String> headers = Map.of("Content-Type", "application/json", "Webhook-Signature",
                WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body));
        return endpoint.intake(TestRequests.of("POST", headers, -1, () -> {
            throw new AssertionError("an intake never reads the stream itself");
        }, "192.0.2.8"));
    }

    @Test
    void expireWhileReadingAnswers408BodyTooSlowClosesAndSettlesOnce() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, 10);
        Outcome expired = intake.expire();
        assertThat(expired.status()).isEqualTo(408);
        assertThat(expired.problem().orElseThrow().code()).isEqualTo("body_too_slow");
        assertThat(expired.closesConnection()).isTrue();
        assertThat(intake.expire()).as("expiring again answers the same refusal").isSameAs(expired);
        assertThat(settled).containsExactly("408 body_too_slow");
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void offerAfterARefusalIsFalseAndKeepsTheFirstRefusal() {
        BodyIntake<MauticBatch> intake = intake();
        assertThat(intake.offer(new byte[5000], 0, 5000)).isFalse();
        Outcome refusal = intake.refusal().orElseThrow();
        assertThat(refusal.status()).isEqualTo(413);
        assertThat(intake.offer(body, 0, 1)).isFalse();
        assertThat(intake.refusal()).containsSame(refusal);
        assertThat(intake.expire()).isSameAs(refusal);
        assertThat(settled).containsExactly("413 body_too_large");
    }

    @Test
    void finishAfterARefusalThrowsSayingSo() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(new byte[5000], 0, 5000);
        assertThatThrownBy(intake::finish).isInstanceOf(IllegalStateException.class).hasMessage("the request was refused");
    }

    @Test
    void finishTwiceAdmitsOnceThenThrows() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, body.length);
        Admission<MauticBatch> admission = intake.finish();
        assertThat(admission.isAccepted()).isTrue();
        assertThatThrownBy(intake::finish).isInstanceOf(IllegalStateException.class).hasMessage("the body was already finished");
        admission.accepted().handled();
        assertThat(settled).containsExactly("200 handled");
    }

    @Test
    void offerAfterFinishIsIgnoredAndStillTrue() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, body.length);
        intake.finish().accepted().handled();
        assertThat(intake.offer(new byte[5000], 0, 5000)).as("no refusal: the body had already ended").isTrue();
        assertThat(intake.refusal()).isEmpty();
    }

    @Test
    void abandonAfterFinishSettlesNothingMore() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, body.length);
        Admission<MauticBatch> admission = intake.finish();
        intake.abandon();
        assertThat(settled).as("the accepted delivery settles when completed, never as abandoned").isEmpty();
        admission.accepted().handled();
        assertThat(settled).containsExactly("200 handled");
    }

    @Test
    void expireAfterFinishThrows() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, body.length);
        intake.finish().accepted().handled();
        assertThatThrownBy(intake::expire).isInstanceOf(IllegalStateException.class).hasMessage("the body was already finished");
    }

    @Test
    void abandonWhileReadingSettlesAbandonedOnceAndLaterEventsThrowOrAreIgnored() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(body, 0, 10);
        intake.abandon();
        intake.abandon();
        assertThat(budget.bytesInFlight()).isZero();
        assertThat(intake.offer(body, 0, 1)).isTrue();
        assertThatThrownBy(intake::finish).isInstanceOf(IllegalStateException.class).hasMessage("the body was abandoned");
        assertThatThrownBy(intake::expire).isInstanceOf(IllegalStateException.class).hasMessage("the body was abandoned");
        assertThat(intake.refusal()).isEmpty();
        assertThat(settled).containsExactly("0 abandoned");
    }

    @Test
    void abandonAfterARefusalSettlesNothingMore() {
        BodyIntake<MauticBatch> intake = intake();
        intake.offer(new byte[5000], 0, 5000);
        intake.abandon();
        assertThat(settled).containsExactly("413 body_too_large");
    }

    @Test
    void aRequestRefusedBeforeItsBodyIsRefusedAtOnceAndTakesNoBudget() {
        BodyIntake<MauticBatch> intake = endpoint.intake(TestRequests.of("PUT", Map.of(), 10, () -> {
            throw new AssertionError("never read");
        }, "192.0.2.8"));
        assertThat(intake.refusal().orElseThrow().status()).isEqualTo(405);
        assertThat(intake.offer(body, 0, 1)).isFalse();
        assertThat(intake.expire().status()).isEqualTo(405);
        assertThatThrownBy(intake::finish).isInstanceOf(IllegalStateException.class);
        intake.abandon();
        assertThat(budget.bytesInFlight()).isZero();
        assertThat(settled).containsExactly("405 method_not_allowed");
    }
}
