package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The blocking reader drives the same state machine, holding a waiting place only while it waits on the peer. */
class BodyReaderTest {

    private final BodyBudget budget = BodyBudget.builder().maxWaitingReads(1).build();
    private final Admission<String> accepted = new Admission.Refused<>(new Outcome(299, Map.of(), Optional.empty(), new Outcome.Handled()), null);

    private BodyRead<String> read(java.util.function.Function<byte[], Admission<String>> admit, Runnable abandoned) {
        return new BodyRead<>(new BodyBuffer(budget, 100), new BodyPace(Long.MAX_VALUE, 0, Long.MAX_VALUE), ReadClock.SYSTEM, admit,
                why -> new Outcome(BodyReadStatesTest.Fixture.statusFor(why), Map.of(), Optional.empty(), new Outcome.Handled()), abandoned);
    }

    /** Nothing is ever available ahead of a read, so every read would wait on the peer. */
    private static class PeerStream extends ByteArrayInputStream {
        boolean closed;

        PeerStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int available() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aWholeBodyIsAdmittedOnlyAfterTheWaitingPlaceIsLeftAndTheStreamClosed() throws IOException {
        PeerStream in = new PeerStream("{}".getBytes());
        AtomicBoolean placeHeldWhileAdmitting = new AtomicBoolean(true);
        AtomicBoolean closedWhileAdmitting = new AtomicBoolean();
        BodyRead<String> read = read(bytes -> {
            placeHeldWhileAdmitting.set(budget.waitingReads() > 0);
            closedWhileAdmitting.set(in.closed);
            return accepted;
        }, () -> { });
        assertThat(BodyReader.read(in, -1, read, budget)).isSameAs(accepted);
        assertThat(placeHeldWhileAdmitting).isFalse();
        assertThat(closedWhileAdmitting).isTrue();
        assertThat(read.state()).isEqualTo(BodyRead.State.FINISHED);
    }

    @Test
    void aBodyOverTheLimitIsARefusalAdmissionAndLeavesThePlace() throws IOException {
        PeerStream in = new PeerStream(new byte[1000]);
        BodyRead<String> read = read(bytes -> accepted, () -> { });
        Admission<String> refused = BodyReader.read(in, -1, read, budget);
        assertThat(refused.outcome().orElseThrow().status()).isEqualTo(413);
        assertThat(budget.waitingReads()).isZero();
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void aReadThatWouldWaitWithEveryPlaceTakenIsRefusedTooManyWaiting() throws IOException {
        assertThat(budget.tryEnterWait()).isTrue();
        try {
            BodyRead<String> read = read(bytes -> accepted, () -> { });
            Admission<String> refused = BodyReader.read(new PeerStream("{}".getBytes()), -1, read, budget);
            assertThat(refused.outcome().orElseThrow().status()).isEqualTo(503);
            assertThat(read.state()).isEqualTo(BodyRead.State.REFUSED);
        } finally {
            budget.exitWait();
        }
    }

    @Test
    void aFailingStreamAbandonsTheReadGivesEverythingBackAndRethrows() {
        InputStream failing = new InputStream() {
            private int reads;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (reads++ == 0) {
                    return 5;
                }
                throw new IOException("reset by peer");
            }
        };
        AtomicInteger abandoned = new AtomicInteger();
        BodyRead<String> read = read(bytes -> accepted, abandoned::incrementAndGet);
        assertThatThrownBy(() -> BodyReader.read(failing, -1, read, budget)).isInstanceOf(IOException.class).hasMessage("reset by peer");
        assertThat(read.state()).isEqualTo(BodyRead.State.ABANDONED);
        assertThat(abandoned).hasValue(1);
        assertThat(budget.bytesInFlight()).isZero();
        assertThat(budget.waitingReads()).isZero();
    }
}
