package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.BodyReadStatesTest.Fixture;
import org.junit.jupiter.api.Test;

/**
 * The rate floor (1 KiB/s on average once the read has lasted its 5 s grace) and the read deadline (30 s), as the
 * endpoint's defaults set them, on a clock the test moves: nothing here sleeps.
 */
class BodyReadClockTest {

    private static final int LIMIT = WebhookEndpoint.DEFAULT_MAX_BODY_BYTES;
    /** The defaults as {@link WebhookEndpoint.Builder} documents them. */
    private static final BodyPace DEFAULTS = new BodyPace(WebhookEndpoint.DEFAULT_BODY_READ_TIMEOUT.toNanos(),
            WebhookEndpoint.DEFAULT_MIN_BODY_RATE, 5_000_000_000L);

    @Test
    void aTrickleBelowOneKibPerSecondIsRefusedTooSlowOnceTheGraceIsOver() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        assertThat(f.offer(1000)).isInstanceOf(BodyRead.Continue.class);
        f.moveClockSeconds(6);
        // 1001 bytes in 6 s: about 167 bytes a second.
        f.assertRefused(f.offer(1), BodyBuffer.Failure.TOO_SLOW);
    }

    @Test
    void aReadKeepingOneKibPerSecondPastTheGraceContinues() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        for (int second = 1; second <= 10; second++) {
            f.moveClockSeconds(1);
            assertThat(f.offer(1024)).as("second %d", second).isInstanceOf(BodyRead.Continue.class);
        }
        assertThat(f.read.state()).isEqualTo(BodyRead.State.READING);
        assertThat(f.refusedFor).isEmpty();
    }

    @Test
    void withinTheGraceEvenOneByteContinues() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        f.moveClockSeconds(4.9);
        assertThat(f.offer(1)).isInstanceOf(BodyRead.Continue.class);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.READING);
    }

    @Test
    void aByteAtTheDeadlineContinuesAndOnePastItIsRefusedTooSlowWhateverTheRate() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        f.offer(1 << 20);
        f.moveClockSeconds(30);
        assertThat(f.offer(1)).as("at 30 s exactly, at about 35 KiB/s").isInstanceOf(BodyRead.Continue.class);
        f.nowNanos += 1;
        f.assertRefused(f.offer(1), BodyBuffer.Failure.TOO_SLOW);
    }

    @Test
    void aFloorOfZeroIsOffAndOnlyTheDeadlineCuts() {
        Fixture f = new Fixture(LIMIT, new BodyPace(DEFAULTS.timeoutNanos(), 0, DEFAULTS.graceNanos()));
        f.moveClockSeconds(29);
        assertThat(f.offer(1)).isInstanceOf(BodyRead.Continue.class);
        f.moveClockSeconds(2);
        f.assertRefused(f.offer(1), BodyBuffer.Failure.TOO_SLOW);
    }

    @Test
    void aReadIsTimedFromItsStartNotFromTheClocksOrigin() {
        Fixture f = new Fixture(LIMIT, DEFAULTS, 1_000_000_000_000L);
        f.moveClockSeconds(4);
        assertThat(f.offer(1)).as("4 s into the read, 1004 s after the clock's origin").isInstanceOf(BodyRead.Continue.class);
    }

    @Test
    void anIntakeFedATrickleAnswersFalseAndThenExpiresWithTheSameRefusal() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        BodyIntake<String> intake = new BodyIntake<>(f.read);
        assertThat(intake.offer(new byte[100], 0, 100)).isTrue();
        f.moveClockSeconds(6);
        assertThat(intake.offer(new byte[100], 0, 100)).isFalse();
        Outcome refusal = intake.refusal().orElseThrow();
        assertThat(refusal.status()).isEqualTo(408);
        assertThat(intake.expire()).isSameAs(refusal);
        assertThat(f.refusedFor).containsExactly(BodyBuffer.Failure.TOO_SLOW);
    }

    @Test
    void anIntakePastItsDeadlineExpiresWith408WithoutABytePastIt() {
        Fixture f = new Fixture(LIMIT, DEFAULTS);
        BodyIntake<String> intake = new BodyIntake<>(f.read);
        assertThat(intake.offer(new byte[2048], 0, 2048)).isTrue();
        f.moveClockSeconds(31);
        assertThat(intake.expire().status()).isEqualTo(408);
        assertThat(f.refusedFor).containsExactly(BodyBuffer.Failure.TOO_SLOW);
        assertThat(f.budget.bytesInFlight()).isZero();
    }
}
