package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The body's bytes under the bounds on memory: the limit plus one byte, and the budget. */
class BodyBufferTest {

    private final BodyBudget budget = BodyBudget.builder().maxBytesInFlight(64 * 1024).build();

    @Test
    void itGrowsWithTheBytesReceivedFromAFirstBufferOf8KiB() {
        BodyBuffer body = new BodyBuffer(budget, 1 << 20);
        assertThat(budget.bytesInFlight()).as("nothing reserved before a byte arrives").isZero();
        assertThat(body.append(new byte[10], 0, 10)).isEqualTo(BodyBuffer.Fill.TAKEN);
        assertThat(budget.bytesInFlight()).isEqualTo(8192);
        assertThat(body.append(new byte[8190], 0, 8190)).isEqualTo(BodyBuffer.Fill.TAKEN);
        assertThat(budget.bytesInFlight()).isEqualTo(16384);
        assertThat(body.length()).isEqualTo(8200);
    }

    @Test
    void underA100ByteLimitItReservesTheLimitPlusOneOnly() {
        BodyBuffer body = new BodyBuffer(budget, 100);
        body.append(new byte[1], 0, 1);
        assertThat(budget.bytesInFlight()).isEqualTo(101);
    }

    @Test
    void pastTheLimitItIsOverLimitHavingKeptTheLimitPlusOne() {
        BodyBuffer body = new BodyBuffer(budget, 100);
        assertThat(body.append(new byte[200], 0, 200)).isEqualTo(BodyBuffer.Fill.OVER_LIMIT);
        assertThat(body.length()).isEqualTo(101);
        assertThat(BodyBuffer.Fill.OVER_LIMIT.failure).isEqualTo(BodyBuffer.Failure.TOO_LARGE);
    }

    @Test
    void exactlyTheLimitIsTaken() {
        BodyBuffer body = new BodyBuffer(budget, 100);
        assertThat(body.append(new byte[100], 0, 100)).isEqualTo(BodyBuffer.Fill.TAKEN);
    }

    @Test
    void aStreamIsReadAtMostTheLimitPlusOneBytes() throws IOException {
        BodyBuffer body = new BodyBuffer(budget, 100);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[1000]);
        BodyBuffer.Fill fill;
        do {
            fill = body.readFrom(in);
        } while (fill == BodyBuffer.Fill.TAKEN);
        assertThat(fill).isEqualTo(BodyBuffer.Fill.OVER_LIMIT);
        assertThat(in.available()).isEqualTo(1000 - 101);
    }

    @Test
    void aStreamAtItsEndIsEndedAndItsBytesAreExactlyWhatArrived() throws IOException {
        BodyBuffer body = new BodyBuffer(budget, 100);
        ByteArrayInputStream in = new ByteArrayInputStream(new byte[] {1, 2, 3});
        assertThat(body.readFrom(in)).isEqualTo(BodyBuffer.Fill.TAKEN);
        assertThat(body.readFrom(in)).isEqualTo(BodyBuffer.Fill.ENDED);
        assertThat(body.bytes()).containsExactly(1, 2, 3);
    }

    @Test
    void withoutBudgetForItsNextGrowthItIsOutOfBudgetAndReservesNothing() {
        assertThat(budget.tryReserve(60 * 1024)).isTrue();
        BodyBuffer body = new BodyBuffer(budget, 1 << 20);
        assertThat(body.append(new byte[1], 0, 1)).isEqualTo(BodyBuffer.Fill.OUT_OF_BUDGET);
        assertThat(BodyBuffer.Fill.OUT_OF_BUDGET.failure).isEqualTo(BodyBuffer.Failure.NO_BUDGET);
        assertThat(budget.bytesInFlight()).isEqualTo(60 * 1024);
        budget.release(60 * 1024);
    }

    @Test
    void releaseGivesTheReservationBackOnce() {
        BodyBuffer body = new BodyBuffer(budget, 100);
        body.append(new byte[10], 0, 10);
        body.release();
        body.release();
        assertThat(budget.bytesInFlight()).isZero();
    }
}
