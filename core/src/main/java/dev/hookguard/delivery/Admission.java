package dev.hookguard.delivery;

import java.util.Optional;

/**
 * The endpoint's verdict on a delivery before the application sees it, one of four: {@link Refused} (with the outcome
 * to write), {@link Duplicate} of one handled before (answered 2xx, not handled again), {@link Stored} in the inbox
 * (answered 202, handled later), or {@link Accepted}: only an accepted delivery has a payload, and only it is settled,
 * by the endpoint that made it.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
public sealed interface Admission<T> permits Admission.Refused, Admission.Duplicate, Admission.Stored, Accepted {

    /** The delivery as read; {@code null} when it was refused before its body was read. */
    Delivery delivery();

    /** For a refused, duplicate or stored delivery: the outcome to write. Empty for an accepted one. */
    Optional<Outcome> outcome();

    /** True when the application should handle the payload: this is an {@link Accepted}. */
    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    /**
     * This admission as an accepted one.
     *
     * @throws IllegalStateException when the delivery was not accepted
     */
    @SuppressWarnings("unchecked")
    default Accepted<T> accepted() {
        if (this instanceof Accepted<?> accepted) {
            return (Accepted<T>) accepted;
        }
        throw new IllegalStateException("the delivery was not accepted");
    }

    /** Refused: the outcome says why. */
    record Refused<T>(Outcome refusal, Delivery delivery) implements Admission<T> {
        @Override
        public Optional<Outcome> outcome() {
            return Optional.of(refusal);
        }
    }

    /** Every key was handled before: answered 200, not handled again. */
    record Duplicate<T>(Delivery delivery) implements Admission<T> {
        @Override
        public Optional<Outcome> outcome() {
            return Optional.of(Outcome.duplicate());
        }
    }

    /** Inbox mode: stored durably and answered 202; the inbox's workers handle it. */
    record Stored<T>(Delivery delivery) implements Admission<T> {
        @Override
        public Optional<Outcome> outcome() {
            return Optional.of(Outcome.stored());
        }
    }
}
