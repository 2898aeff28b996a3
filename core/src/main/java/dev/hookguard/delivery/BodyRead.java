package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Function;

/**
 * The read of one body as one state machine. Each container event (bytes arrived, the body ended, the deadline
 * passed, no place to wait, the peer went away) is one method that moves the {@link State} and answers the
 * {@link Action} the adapter performs next. The blocking {@link BodyReader} and the non-blocking {@link BodyIntake}
 * drive it alike, so both meet the same bounds (limit and budget in {@link BodyBuffer}, deadline and rate in
 * {@link BodyPace}) and the same verdicts. Every way out of {@link State#READING} gives the buffer back to the
 * budget; an event after that changes nothing. Not thread-safe: one event at a time.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
final class BodyRead<T> {

    enum State {
        /** Bytes may still arrive. */
        READING,
        /** The body ended and went to the endpoint, whose verdict the adapter wrote or handed on. */
        FINISHED,
        /** Refused, before the body or while it arrived: {@link #refusal()} is the answer. */
        REFUSED,
        /** The peer went away, or its stream failed, before the body ended: nothing to answer. */
        ABANDONED
    }

    /** What the adapter does after an event. */
    sealed interface Action<T> permits Continue, WriteRefusal, Admit, Nothing {
    }

    /** Keep reading. */
    record Continue<T>() implements Action<T> {
    }

    /** Write the refusal and read no further (an adapter may still drain what the peer sends, to be heard). */
    record WriteRefusal<T>(Outcome refusal) implements Action<T> {
    }

    /** The body is whole: write the endpoint's verdict, or hand the accepted delivery on. */
    record Admit<T>(Admission<T> admission) implements Action<T> {
    }

    /** The read was over before this event: nothing to do. */
    record Nothing<T>() implements Action<T> {
    }

    private final BodyBuffer body;
    private final BodyPace pace;
    private final ReadClock clock;
    private final long startNanos;
    private final Function<byte[], Admission<T>> admit;
    private final Function<BodyBuffer.Failure, Outcome> refuse;
    private final Runnable abandoned;
    private State state;
    private Outcome refusal;

    /**
     * @param admit     verifies, parses and claims a whole body; the admission settles itself
     * @param refuse    the answer to a read that a bound stopped; settles the delivery
     * @param abandoned what the endpoint does when the peer goes away mid-body
     */
    BodyRead(BodyBuffer body, BodyPace pace, ReadClock clock, Function<byte[], Admission<T>> admit,
             Function<BodyBuffer.Failure, Outcome> refuse, Runnable abandoned) {
        this.body = body;
        this.pace = pace;
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.admit = admit;
        this.refuse = refuse;
        this.abandoned = abandoned;
        this.state = State.READING;
    }

    private BodyRead(Outcome refusal) {
        this(null, null, ReadClock.SYSTEM, null, null, null);
        this.state = State.REFUSED;
        this.refusal = refusal;
    }

    /** A read that never starts: the request was refused before its body (and settled by whoever refused it). */
    static <T> BodyRead<T> refusedBeforeBody(Outcome refusal) {
        return new BodyRead<>(refusal);
    }

    State state() {
        return state;
    }

    /** The answer once {@link State#REFUSED}. */
    Optional<Outcome> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** Bytes arrived in a container's callback: kept, unless they break a bound. */
    Action<T> bytesArrived(byte[] bytes, int offset, int count) {
        if (state != State.READING) {
            return new Nothing<>();
        }
        return afterFill(body.append(bytes, offset, count));
    }

    /**
     * One blocking read from {@code in}: bytes arrived, or, at the stream's end, the body ended. Bytes are read
     * straight into the buffer, never more than the limit plus one.
     */
    Action<T> bytesFrom(InputStream in) throws IOException {
        if (state != State.READING) {
            return new Nothing<>();
        }
        BodyBuffer.Fill fill = body.readFrom(in);
        return fill == BodyBuffer.Fill.ENDED ? bodyEnded() : afterFill(fill);
    }

    private Action<T> afterFill(BodyBuffer.Fill fill) {
        if (fill.failure != null) {
            return refuse(fill.failure);
        }
        // Measured when bytes arrive: a peer that sends nothing at all meets the adapter's timer instead.
        return pace.tooSlow(clock.nanoTime() - startNanos, body.length()) ? refuse(BodyBuffer.Failure.TOO_SLOW) : new Continue<>();
    }

    /** The body ended: the endpoint verifies, parses and claims it, exactly once. */
    Action<T> bodyEnded() {
        if (state != State.READING) {
            return new Nothing<>();
        }
        state = State.FINISHED;
        try {
            return new Admit<>(admit.apply(body.bytes()));
        } finally {
            // The budget bounds bodies until they are authenticated and parsed.
            body.release();
        }
    }

    /** The adapter's timer: the body did not end within the read's deadline. */
    Action<T> deadlinePassed() {
        return state == State.READING ? refuse(BodyBuffer.Failure.TOO_SLOW) : new Nothing<>();
    }

    /** A blocking read would wait on the peer, and every waiting place of the budget is taken. */
    Action<T> noPlaceToWait() {
        return state == State.READING ? refuse(BodyBuffer.Failure.TOO_MANY_WAITING) : new Nothing<>();
    }

    /** The peer went away, or its stream failed, mid-body: nothing to answer. */
    Action<T> peerGone() {
        if (state == State.READING) {
            state = State.ABANDONED;
            body.release();
            abandoned.run();
        }
        return new Nothing<>();
    }

    private Action<T> refuse(BodyBuffer.Failure why) {
        state = State.REFUSED;
        body.release();
        refusal = refuse.apply(why);
        return new WriteRefusal<>(refusal);
    }
}
