package dev.hookguard.idempotency;

/**
 * Remembers which deliveries are being handled and which are done, so a redelivery is not handled twice.
 * A key is claimed before the handler runs, marked done when it succeeded, and released when it failed, so a
 * retry is handled again. Implementations must be safe for concurrent use, and {@link #claim} must be atomic:
 * of two callers racing for one key, exactly one gets {@link Claim#CLAIMED}.
 */
public interface IdempotencyStore {

    /** What {@link #claim} found. */
    enum Claim {
        /** The key was free (or its earlier claim expired): the caller now owns it. */
        CLAIMED,
        /** Another caller is handling this key right now. */
        IN_FLIGHT,
        /** The key was handled successfully before. */
        DONE
    }

    /** Claims {@code key} for handling. */
    Claim claim(String key);

    /** Marks a claimed key as successfully handled. */
    void markDone(String key);

    /** Gives a claimed key up after a failure, so the next delivery of it is handled. */
    void release(String key);
}
