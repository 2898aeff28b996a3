package dev.hookguard.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The webhook model against a real receiver: what Mautic 5 and Mautic 7 do to a webhook whose receiver fails. */
class MauticWebhookTest {

    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    private final MovableClock clock = new MovableClock(T0);

    private static List<OutgoingEvent> events(int count) {
        return SampleEvents.of("mautic.form_on_submit", 1, count);
    }

    private MauticWebhook.Builder mautic5(StatusReceiver receiver) {
        return MauticWebhook.builder(MauticSender.builder(receiver.uri(), "secret").build()).clock(clock);
    }

    private MauticWebhook.Builder mautic7(StatusReceiver receiver) {
        return MauticWebhook.builder(MauticSender.builder(receiver.uri(), "secret").retryPolicy(RetryPolicy.RETRYING).build())
                .clock(clock);
    }

    // ---- Mautic 5 ----

    @Test
    void mautic5_aWebhookThatNeverSucceeded_isUnpublishedByItsFirstFailure_andSendsNothingMore() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic5(receiver).build();

            SendReport report = webhook.sendImmediate(events(5));

            assertThat(receiver.requests()).isEqualTo(1);
            assertThat(webhook.published()).isFalse();
            assertThat(report.unpublished()).isTrue();
            assertThat(report.unsent()).isEqualTo(4);
            assertThat(report.attempts()).extracting(Attempt::outcome).containsExactly(Attempt.Outcome.UNPUBLISHED);
        }
    }

    @Test
    void mautic5_afterA2xx_the51stFailureInARow_unpublishes_asEachFailureLogsTwice_andTheNextDeliveryIsNeverSent() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n == 1 ? 200 : 503)) {
            MauticWebhook webhook = mautic5(receiver).build();

            SendReport report = webhook.sendImmediate(events(1 + 51 + 1));

            assertThat(receiver.requests()).isEqualTo(1 + 51);
            assertThat(webhook.published()).isFalse();
            assertThat(report.delivered()).isEqualTo(1);
            assertThat(report.dropped()).isEqualTo(51);
            assertThat(report.unsent()).isEqualTo(1);
            assertThat(report.attempts().get(51).outcome()).isEqualTo(Attempt.Outcome.UNPUBLISHED);
            assertThat(report.summary()).contains("1 never sent", "webhook unpublished (auto-unpublished)");
        }
    }

    @Test
    void mautic5_one2xxAmongTheLast100Logs_keepsItPublished() throws IOException {
        // 1 success, then 50 failures = 100 failure logs (status + N/A): the 2xx is still the 100th newest at the
        // 50th failure's isSick(), which sees 99 failure logs and the 2xx.
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n == 1 ? 200 : 503)) {
            MauticWebhook webhook = mautic5(receiver).build();

            SendReport failing = webhook.sendImmediate(events(1 + 50));
            receiver.answer(n -> 200);
            SendReport next = webhook.sendImmediate(events(1));

            assertThat(failing.unpublished()).isFalse();
            assertThat(failing.dropped()).isEqualTo(50);
            assertThat(webhook.published()).isTrue();
            assertThat(next.delivered()).isEqualTo(1);
            assertThat(receiver.requests()).isEqualTo(52);
        }
    }

    @Test
    void mautic5_410_unpublishesAtOnce_evenAfterSuccesses() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n <= 3 ? 200 : 410)) {
            MauticWebhook webhook = mautic5(receiver).build();

            SendReport report = webhook.sendImmediate(events(6));

            assertThat(receiver.requests()).isEqualTo(4);
            assertThat(webhook.published()).isFalse();
            assertThat(report.delivered()).isEqualTo(3);
            assertThat(report.unsent()).isEqualTo(2);
            assertThat(report.summary()).contains("webhook unpublished (410)");
        }
    }

    @Test
    void mautic5_aWebhookModifiedWithinTwoDays_isNotUnpublished() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic5(receiver).lastModified(T0.minus(Duration.ofHours(47))).build();

            SendReport report = webhook.sendImmediate(events(150));

            assertThat(receiver.requests()).isEqualTo(150);
            assertThat(webhook.published()).isTrue();
            assertThat(report.unpublished()).isFalse();
            assertThat(report.dropped()).isEqualTo(150);
        }
    }

    @Test
    void mautic5_theGraceEnds_twoDaysAfterTheEdit() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic5(receiver).lastModified(T0.minus(Duration.ofDays(1))).build();

            webhook.sendImmediate(events(1));
            boolean publishedWithinGrace = webhook.published();
            clock.advance(Duration.ofDays(1).plusSeconds(1));
            webhook.sendImmediate(events(1));

            assertThat(publishedWithinGrace).isTrue();
            assertThat(webhook.published()).isFalse();
        }
    }

    @Test
    void mautic5_queueMode_aNon2xxBatchIsDropped_neverRetried() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n == 1 ? 503 : 200)) {
            MauticWebhook webhook = mautic5(receiver).lastModified(T0).build(); // edited just now: not unpublished
            webhook.queue(events(15));

            SendReport first = webhook.process();
            SendReport second = webhook.process();

            assertThat(first.dropped()).isEqualTo(10);
            assertThat(first.pending()).isEqualTo(5);
            assertThat(first.attempts()).extracting(Attempt::outcome).containsExactly(Attempt.Outcome.DROPPED);
            assertThat(second.delivered()).isEqualTo(5);
            assertThat(second.retried()).isZero();
            assertThat(receiver.requests()).isEqualTo(2);
            assertThat(webhook.queued()).isZero();
        }
    }

    @Test
    void mautic5_anUnpublishedWebhook_sendsNoQueuedRows() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic5(receiver).build();
            webhook.queue(events(25));

            SendReport first = webhook.process();
            SendReport second = webhook.process();

            assertThat(first.unpublished()).isTrue();
            assertThat(first.dropped()).isEqualTo(10);
            assertThat(first.unsent()).isEqualTo(15);
            assertThat(second.attempts()).isEmpty();
            assertThat(second.unsent()).isEqualTo(15);
            assertThat(receiver.requests()).isEqualTo(1);
        }
    }

    @Test
    void plainMauticSender_keepsItsOwnBehaviour_noAutoUnpublish() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            SendReport report = MauticSender.builder(receiver.uri(), "secret").build().sendImmediate(events(5));

            assertThat(receiver.requests()).isEqualTo(5);
            assertThat(report.unpublished()).isFalse();
            assertThat(report.dropped()).isEqualTo(5);
            assertThat(report.unsent()).isZero();
        }
    }

    // ---- Mautic 7 (PR #15283) ----

    @Test
    void mautic7_a503Batch_isRetriedAfterOneHour_notBefore() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n == 1 ? 503 : 200)) {
            MauticWebhook webhook = mautic7(receiver).build();
            webhook.queue(events(3));

            SendReport failed = webhook.process();
            clock.advance(Duration.ofSeconds(3599));
            SendReport tooEarly = webhook.process();
            clock.advance(Duration.ofSeconds(2));
            SendReport retried = webhook.process();

            assertThat(failed.attempts()).extracting(Attempt::outcome).containsExactly(Attempt.Outcome.WILL_RETRY);
            assertThat(failed.pending()).isEqualTo(3);
            assertThat(tooEarly.attempts()).isEmpty();
            assertThat(tooEarly.pending()).isEqualTo(3);
            assertThat(retried.delivered()).isEqualTo(3);
            assertThat(retried.retried()).isEqualTo(3);
            assertThat(receiver.requests()).isEqualTo(2);
        }
    }

    @Test
    void mautic7_aWebhookMarkedUnhealthy_isSkippedFor300Seconds() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.answering(n -> n == 1 ? 503 : 200)) {
            MauticWebhook webhook = mautic7(receiver).build();
            webhook.queue(events(1));
            webhook.process(); // fails: marked unhealthy at T0, the row waits an hour
            webhook.queue(SampleEvents.of("mautic.form_on_submit", 100, 2)); // new rows, due at once

            clock.advance(Duration.ofSeconds(300));
            SendReport skipped = webhook.process();
            boolean healthyAt300s = webhook.healthy();
            clock.advance(Duration.ofSeconds(1));
            SendReport sent = webhook.process();

            assertThat(skipped.attempts()).isEmpty();
            assertThat(skipped.pending()).isEqualTo(3);
            assertThat(healthyAt300s).isFalse();
            assertThat(sent.delivered()).isEqualTo(2);
            assertThat(sent.pending()).isEqualTo(1); // the failed row is not due before an hour
            assertThat(webhook.markedUnhealthyAt()).isEmpty();
            assertThat(receiver.requests()).isEqualTo(2);
        }
    }

    @Test
    void mautic7_disableAutoUnpublish_keepsItPublished() throws IOException {
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic7(receiver).disableAutoUnpublish(true).build();

            SendReport report = webhook.sendImmediate(events(120));

            assertThat(receiver.requests()).isEqualTo(120);
            assertThat(webhook.published()).isTrue();
            assertThat(report.unpublished()).isFalse();
        }
    }

    @Test
    void mautic7_withAutoUnpublish_theSecondFailureOfAWebhookThatNeverSucceeded_unpublishes() throws IOException {
        // WebhookModelProcessFailureTest: a 401 with no earlier logs stays published; after a failure log it does not.
        try (StatusReceiver receiver = StatusReceiver.always(503)) {
            MauticWebhook webhook = mautic7(receiver).build();

            SendReport report = webhook.sendImmediate(events(3));

            assertThat(receiver.requests()).isEqualTo(2);
            assertThat(report.attempts()).extracting(Attempt::outcome)
                    .containsExactly(Attempt.Outcome.DROPPED, Attempt.Outcome.UNPUBLISHED);
            assertThat(report.unsent()).isEqualTo(1);
            assertThat(webhook.published()).isFalse();
        }
    }
}
