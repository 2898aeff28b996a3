package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.pms.RecentDeliveries.Outcome;
import dev.hookguard.signature.SignatureScheme;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The chart's counts over time, on a clock the test moves: what the browser test cannot wait for (an hour passing).
 */
class DeliveryChartTest {

    /** A clock that stays where the test puts it. */
    private static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static final SignatureScheme MAUTIC = SignatureScheme.named("mautic");

    @Test
    void deliveriesAreCountedInTheirFiveMinuteSliceByOutcomeAndLeaveTheChartAfterAnHour() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-05T12:03:00Z"));
        RecentDeliveries deliveries = new RecentDeliveries(clock);
        deliveries.delivered(MAUTIC, 200, "handled", 1);
        deliveries.delivered(MAUTIC, 202, "stored", -1);
        deliveries.delivered(MAUTIC, 200, "duplicate", -1);
        deliveries.delivered(MAUTIC, 401, "signature_mismatch", -1);
        deliveries.delivered(MAUTIC, 500, "handler_failed", 1);
        clock.now = Instant.parse("2026-01-05T12:07:00Z");
        deliveries.delivered(MAUTIC, 200, "handled", 1);

        DeliveryChart chart = DeliveryChart.of(deliveries.lastHour(), ZoneOffset.UTC);
        assertThat(chart.columns()).hasSize(12);
        assertThat(chart.columns().get(11).label()).isEqualTo("12:05");
        assertThat(chart.columns().get(10).title()).isEqualTo("12:00–12:05: 2 accepted, 1 duplicate, 1 refused, 1 failed");
        assertThat(chart.columns().get(11).title()).isEqualTo("12:05–12:10: 1 accepted");
        assertThat(chart.columns().get(0).title()).isEqualTo("11:10–11:15: no deliveries");
        assertThat(chart.totals()).extracting(DeliveryChart.Total::count).containsExactly(3L, 1L, 1L, 1L);
        assertThat(chart.max()).isEqualTo(5);
        // The fullest slice fills the height; its bars stack from the baseline up without gaps.
        var bars = chart.columns().get(10).bars();
        assertThat(bars).extracting(DeliveryChart.Bar::outcome).containsExactly("accepted", "duplicate", "refused", "failed");
        assertThat(bars.get(0).y() + bars.get(0).height()).isEqualTo(DeliveryChart.BASELINE);
        for (int i = 1; i < bars.size(); i++) {
            assertThat(bars.get(i).y() + bars.get(i).height()).isEqualTo(bars.get(i - 1).y());
        }
        assertThat(bars.get(bars.size() - 1).y()).isEqualTo(DeliveryChart.TOP);

        clock.now = clock.now.plus(Duration.ofMinutes(56));
        assertThat(DeliveryChart.of(deliveries.lastHour(), ZoneOffset.UTC).total()).as("12:00–12:05 is over an hour old").isEqualTo(1);
        clock.now = clock.now.plus(Duration.ofMinutes(5));
        assertThat(DeliveryChart.of(deliveries.lastHour(), ZoneOffset.UTC).total()).isZero();
        assertThat(deliveries.newestFirst()).as("the list keeps the last 50, whatever their age").hasSize(6);
        assertThat(Outcome.of(413, "payload_too_large")).isEqualTo(Outcome.REFUSED);
    }

    @Test
    void aKeyIsShortenedAroundAnEllipsisWithoutSplittingACharacter() {
        assertThat(DeliveriesController.shorten("mautic:form_on_submit:1234567890")).isEqualTo("mautic:form_on_submit:1234567890");
        String hashed = "mautic:lead_post_save_new:sha256:" + "0123456789abcdef".repeat(4);
        assertThat(DeliveriesController.shorten(hashed)).isEqualTo("mautic:lead_post_s…3456789abcdef").hasSize(DeliveriesController.KEY_SHOWN);
        String emoji = "malcolm:" + "😀".repeat(40);
        assertThat(DeliveriesController.shorten(emoji)).isEqualTo("malcolm:" + "😀".repeat(10) + "…" + "😀".repeat(13));
    }
}
