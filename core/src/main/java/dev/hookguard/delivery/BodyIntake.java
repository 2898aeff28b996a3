package dev.hookguard.delivery;

import java.util.Optional;

/**
 * A body fed in as it arrives, for adapters whose container reads without holding a thread (Servlet non-blocking
 * reads, say): a peer that sends slowly then costs a connection and at most its buffer, never a thread. The same
 * bounds as a blocking read hold (limit, {@link BodyBudget}, deadline, minimum rate); the adapter calls
 * {@link #expire()} once {@link dev.hookguard.delivery.spi.Adapters#bodyReadTimeout} has passed without the body ending. Not
 * thread-safe: feed it from one callback at a time, as containers call read listeners.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
public final class BodyIntake<T> {

    private final BodyRead<T> read;

    BodyIntake(BodyRead<T> read) {
        this.read = read;
    }

    static <T> BodyIntake<T> refused(Outcome refusal) {
        return new BodyIntake<>(BodyRead.refusedBeforeBody(refusal));
    }

    /** The refusal to write, once the request was refused (before its body, or while it arrived). */
    public Optional<Outcome> refusal() {
        return read.refusal();
    }

    /** Adds bytes that arrived; false once the request is refused, and then {@link #refusal()} says how to answer. */
    public boolean offer(byte[] bytes, int offset, int count) {
        read.bytesArrived(bytes, offset, count);
        return read.state() != BodyRead.State.REFUSED;
    }

    /**
     * The body ended: verifies, parses and claims it, exactly as a blocking read would have.
     *
     * @throws IllegalStateException after a refusal, or when called twice
     */
    public Admission<T> finish() {
        if (read.bodyEnded() instanceof BodyRead.Admit<T> admit) {
            return admit.admission();
        }
        throw new IllegalStateException(read.state() == BodyRead.State.REFUSED ? "the request was refused" : over());
    }

    /** The deadline passed with the body unfinished: the refusal to write (408, or what refused it before). */
    public Outcome expire() {
        read.deadlinePassed();
        return read.refusal().orElseThrow(() -> new IllegalStateException(over()));
    }

    /** The peer went away or the read failed: gives the buffer back. Safe to call at any time, and more than once. */
    public void abandon() {
        read.peerGone();
    }

    private String over() {
        return read.state() == BodyRead.State.ABANDONED ? "the body was abandoned" : "the body was already finished";
    }
}
