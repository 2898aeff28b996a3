package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every transition of the body read's state machine, and the action each event answers. */
class BodyReadStatesTest {

    /**
     * A read on a clock the test moves, whose endpoint is a recorder: what it admitted, why it refused, how often the
     * peer was reported gone. Refusals carry the endpoint's statuses (413, 503, 408) so that actions can be told apart.
     */
    static final class Fixture {
        final BodyBudget budget = BodyBudget.builder().build();
        final Admission<String> verdict = new Admission.Refused<>(new Outcome(299, Map.of(), Optional.empty(), new Outcome.Handled()), null);
        final List<byte[]> admitted = new ArrayList<>();
        final List<BodyBuffer.Failure> refusedFor = new ArrayList<>();
        int abandoned;
        long nowNanos;
        final BodyRead<String> read;

        Fixture(int limit, BodyPace pace, long startNanos) {
            nowNanos = startNanos;
            read = new BodyRead<>(new BodyBuffer(budget, limit), pace, () -> nowNanos, bytes -> {
                admitted.add(bytes);
                return verdict;
            }, why -> {
                refusedFor.add(why);
                return new Outcome(statusFor(why), Map.of(), Optional.empty(), new Outcome.Handled());
            }, () -> abandoned++);
        }

        Fixture(int limit, BodyPace pace) {
            this(limit, pace, 0);
        }

        Fixture(int limit) {
            this(limit, new BodyPace(Long.MAX_VALUE, 0, Long.MAX_VALUE));
        }

        static int statusFor(BodyBuffer.Failure why) {
            return switch (why) {
                case TOO_LARGE -> 413;
                case NO_BUDGET, TOO_MANY_WAITING -> 503;
                case TOO_SLOW -> 408;
            };
        }

        BodyRead.Action<String> offer(int count) {
            return read.bytesArrived(new byte[count], 0, count);
        }

        void moveClockSeconds(double seconds) {
            nowNanos += (long) (seconds * 1_000_000_000L);
        }

        /** Asserts the action is a refusal for {@code why}, that the read is refused with it, and that the budget is back. */
        void assertRefused(BodyRead.Action<String> action, BodyBuffer.Failure why) {
            assertThat(action).isInstanceOfSatisfying(BodyRead.WriteRefusal.class,
                    refusal -> assertThat(refusal.refusal().status()).isEqualTo(statusFor(why)));
            assertThat(refusedFor).containsExactly(why);
            assertThat(read.state()).isEqualTo(BodyRead.State.REFUSED);
            assertThat(read.refusal()).contains(((BodyRead.WriteRefusal<String>) action).refusal());
            assertThat(budget.bytesInFlight()).isZero();
        }
    }

    @Test
    void bytesWhileReadingContinueAndStayReading() {
        Fixture f = new Fixture(100);
        assertThat(f.offer(60)).isInstanceOf(BodyRead.Continue.class);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.READING);
        assertThat(f.budget.bytesInFlight()).isEqualTo(101);
    }

    @Test
    void theBodyEndingWhileReadingAdmitsItsBytesOnceAndGivesTheBudgetBack() {
        Fixture f = new Fixture(100);
        f.read.bytesArrived(new byte[] {'{', '}'}, 0, 2);
        BodyRead.Action<String> action = f.read.bodyEnded();
        assertThat(action).isInstanceOfSatisfying(BodyRead.Admit.class, admit -> assertThat(admit.admission()).isSameAs(f.verdict));
        assertThat(f.admitted).singleElement().isEqualTo(new byte[] {'{', '}'});
        assertThat(f.read.state()).isEqualTo(BodyRead.State.FINISHED);
        assertThat(f.budget.bytesInFlight()).isZero();
    }

    @Test
    void bytesPastTheLimitRefuseTheReadTooLarge() {
        Fixture f = new Fixture(100);
        f.offer(60);
        f.assertRefused(f.offer(60), BodyBuffer.Failure.TOO_LARGE);
    }

    @Test
    void bytesTheBudgetCannotHoldRefuseTheReadNoBudget() {
        Fixture f = new Fixture(100);
        assertThat(f.budget.tryReserve(f.budget.maxBytesInFlight())).isTrue();
        BodyRead.Action<String> action = f.offer(1);
        f.budget.release(f.budget.maxBytesInFlight());
        f.assertRefused(action, BodyBuffer.Failure.NO_BUDGET);
    }

    @Test
    void theDeadlinePassingWhileReadingRefusesTheReadTooSlow() {
        Fixture f = new Fixture(100);
        f.offer(10);
        f.assertRefused(f.read.deadlinePassed(), BodyBuffer.Failure.TOO_SLOW);
    }

    @Test
    void noPlaceToWaitWhileReadingRefusesTheReadTooManyWaiting() {
        Fixture f = new Fixture(100);
        f.assertRefused(f.read.noPlaceToWait(), BodyBuffer.Failure.TOO_MANY_WAITING);
    }

    @Test
    void thePeerGoingAwayWhileReadingAbandonsTheReadOnceAndGivesTheBudgetBack() {
        Fixture f = new Fixture(100);
        f.offer(10);
        assertThat(f.read.peerGone()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.peerGone()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.abandoned).isEqualTo(1);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.ABANDONED);
        assertThat(f.read.refusal()).isEmpty();
        assertThat(f.budget.bytesInFlight()).isZero();
    }

    @Test
    void afterARefusalEveryEventIsNothingAndTheRefusalStays() {
        Fixture f = new Fixture(100);
        f.read.deadlinePassed();
        Outcome refusal = f.read.refusal().orElseThrow();
        assertThat(f.offer(1)).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.bodyEnded()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.deadlinePassed()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.noPlaceToWait()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.peerGone()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.REFUSED);
        assertThat(f.read.refusal()).containsSame(refusal);
        assertThat(f.refusedFor).containsExactly(BodyBuffer.Failure.TOO_SLOW);
        assertThat(f.admitted).isEmpty();
        assertThat(f.abandoned).isZero();
    }

    @Test
    void afterTheBodyEndedEveryEventIsNothingAndNothingIsAdmittedTwice() {
        Fixture f = new Fixture(100);
        f.offer(3);
        f.read.bodyEnded();
        assertThat(f.read.bodyEnded()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.offer(1)).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.deadlinePassed()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.peerGone()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.FINISHED);
        assertThat(f.admitted).hasSize(1);
        assertThat(f.refusedFor).isEmpty();
        assertThat(f.abandoned).isZero();
        assertThat(f.read.refusal()).isEmpty();
    }

    @Test
    void afterThePeerWentAwayEveryEventIsNothing() {
        Fixture f = new Fixture(100);
        f.read.peerGone();
        assertThat(f.offer(1)).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.bodyEnded()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.deadlinePassed()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(f.read.state()).isEqualTo(BodyRead.State.ABANDONED);
        assertThat(f.admitted).isEmpty();
        assertThat(f.refusedFor).isEmpty();
        assertThat(f.abandoned).isEqualTo(1);
        assertThat(f.budget.bytesInFlight()).isZero();
    }

    @Test
    void aReadRefusedBeforeItsBodyStartsRefusedAndIgnoresEveryEvent() {
        Outcome early = new Outcome(405, Map.of(), Optional.empty(), new Outcome.Handled());
        BodyRead<String> read = BodyRead.refusedBeforeBody(early);
        assertThat(read.state()).isEqualTo(BodyRead.State.REFUSED);
        assertThat(read.refusal()).containsSame(early);
        assertThat(read.bytesArrived(new byte[1], 0, 1)).isInstanceOf(BodyRead.Nothing.class);
        assertThat(read.bodyEnded()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(read.deadlinePassed()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(read.peerGone()).isInstanceOf(BodyRead.Nothing.class);
        assertThat(read.refusal()).containsSame(early);
    }

    @Test
    void aStreamReadToItsEndIsAdmittedWhole() throws IOException {
        Fixture f = new Fixture(100);
        ByteArrayInputStream in = new ByteArrayInputStream("{\"a\":1}".getBytes());
        BodyRead.Action<String> action;
        do {
            action = f.read.bytesFrom(in);
        } while (action instanceof BodyRead.Continue);
        assertThat(action).isInstanceOf(BodyRead.Admit.class);
        assertThat(f.admitted).singleElement().isEqualTo("{\"a\":1}".getBytes());
        assertThat(f.read.state()).isEqualTo(BodyRead.State.FINISHED);
    }

    @Test
    void aStreamPastTheLimitIsRefusedTooLargeAfterAtMostTheLimitPlusOneBytes() throws IOException {
        Fixture f = new Fixture(100);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[1000]);
        BodyRead.Action<String> action;
        do {
            action = f.read.bytesFrom(in);
        } while (action instanceof BodyRead.Continue);
        f.assertRefused(action, BodyBuffer.Failure.TOO_LARGE);
        assertThat(1000 - in.available()).isEqualTo(101);
    }
}
