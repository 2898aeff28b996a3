package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.LogCapture;
import org.junit.jupiter.api.Test;

/** Each refusal builds the outcome its table row says, and building one is pure: nothing logged, nothing told. */
class RefusalTest {

    @Test
    void eachRefusalsOutcomeHasItsStatusCodeHeadersAndConnection() {
        for (Refusal refusal : Refusal.values()) {
            for (boolean bodyFollows : new boolean[] {false, true}) {
                Outcome outcome = refusal.outcome(SignatureScheme.MAUTIC, 7, bodyFollows);
                assertThat(outcome.status()).as("%s", refusal).isEqualTo(refusal.status());
                assertThat(outcome.problem().orElseThrow().code()).isEqualTo(refusal.code());
                assertThat(outcome.refusal()).contains(refusal);
                assertThat(outcome.result().code()).isEqualTo(refusal.code());
                assertThat(outcome.headers().get("Retry-After")).as("%s", refusal).isEqualTo(refusal.retryAfter() ? "7" : null);
                boolean closes = refusal.connection() == Refusal.Connection.CLOSE
                        || refusal.connection() == Refusal.Connection.CLOSE_WHEN_BODY_FOLLOWS && bodyFollows;
                assertThat(outcome.closesConnection()).as("%s, body follows: %s", refusal, bodyFollows).isEqualTo(closes);
                assertThat(outcome.headers().get("Allow")).isEqualTo(refusal.allow().orElse(null));
            }
        }
    }

    @Test
    void buildingARefusalLogsNothing() {
        try (LogCapture log = LogCapture.of(WebhookEndpoint.class)) {
            for (Refusal refusal : Refusal.values()) {
                refusal.outcome(SignatureScheme.MALCOLM, 5, true);
            }
            assertThat(log.lines()).isEmpty();
        }
    }

    @Test
    void theInvalidPayloadTitleNamesTheSender() {
        assertThat(Refusal.INVALID_PAYLOAD.outcome(SignatureScheme.MAUTIC, 5, false).problem().orElseThrow().title()).isEqualTo("Not a Mautic payload");
        assertThat(Refusal.INVALID_PAYLOAD.outcome(SignatureScheme.MALCOLM, 5, false).problem().orElseThrow().title()).isEqualTo("Not a Malcolm! payload");
    }
}
