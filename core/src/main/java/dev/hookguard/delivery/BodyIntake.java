package dev.hookguard.delivery;

import java.util.Optional;
import java.util.function.Function;

/**
 * A body fed in as it arrives, for adapters whose container reads without holding a thread (Servlet non-blocking
 * reads, say): a peer that sends slowly then costs a connection and at most its buffer, never a thread. The same
 * bounds as a blocking read hold (limit, {@link BodyBudget}, deadline, minimum rate); the adapter calls
 * {@link #expire()} once {@link WebhookEndpoint#bodyReadTimeout()} has passed without the body ending. Not
 * thread-safe: feed it from one callback at a time, as containers call read listeners.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
public final class BodyIntake<T> {

    private final BodyBuffer body;
    private final Function<byte[], Admission<T>> admit;
    private final Function<BodyBuffer.Failure, Outcome> refuse;
    private final Runnable abandoned;
    private Outcome refusal;
    private boolean closed;

    BodyIntake(BodyBuffer body, Function<byte[], Admission<T>> admit, Function<BodyBuffer.Failure, Outcome> refuse,
               Runnable abandoned) {
        this.body = body;
        this.admit = admit;
        this.refuse = refuse;
        this.abandoned = abandoned;
    }

    static <T> BodyIntake<T> refused(Outcome refusal) {
        BodyIntake<T> intake = new BodyIntake<>(null, null, null, null);
        intake.refusal = refusal;
        intake.closed = true;
        return intake;
    }

    /** The refusal to write, once the request was refused (before its body, or while it arrived). */
    public Optional<Outcome> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** Adds bytes that arrived; false once the request is refused, and then {@link #refusal()} says how to answer. */
    public boolean offer(byte[] bytes, int offset, int count) {
        if (closed) {
            return refusal == null;
        }
        if (!body.append(bytes, offset, count)) {
            refusal = refuse.apply(body.failure());
            close();
            return false;
        }
        return true;
    }

    /**
     * The body ended: verifies, parses and claims it, exactly as a blocking read would have.
     *
     * @throws IllegalStateException after a refusal, or when called twice
     */
    public Admission<T> finish() {
        if (closed) {
            throw new IllegalStateException(refusal != null ? "the request was refused" : "the body was already finished");
        }
        byte[] bytes = body.bytes();
        close();
        return admit.apply(bytes);
    }

    /** The deadline passed with the body unfinished: the refusal to write (408, or what refused it before). */
    public Outcome expire() {
        if (!closed) {
            refusal = refuse.apply(BodyBuffer.Failure.TOO_SLOW);
            close();
        }
        if (refusal == null) {
            throw new IllegalStateException("the body was already finished");
        }
        return refusal;
    }

    /** The peer went away or the read failed: gives the buffer back. Safe to call at any time, and more than once. */
    public void abandon() {
        if (!closed) {
            close();
            // Neither finished nor refused: the peer went away, and the delivery settles as abandoned.
            abandoned.run();
        }
    }

    private void close() {
        if (!closed) {
            closed = true;
            body.release();
        }
    }
}
