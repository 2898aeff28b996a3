package dev.hookguard.inbox;

import dev.hookguard.signature.SignatureScheme;

/** Told what the inbox's workers did with each row, for counters. Called on a worker thread; must be quick and not throw. */
public interface InboxListener {

    /** A row was handled and is done. */
    default void handled(SignatureScheme scheme) {
    }

    /** A handler failed and the row will be tried again after its backoff. */
    default void retried(SignatureScheme scheme) {
    }

    /** A row failed its last attempt, or no handler took it, and is dead. */
    default void deadLettered(SignatureScheme scheme) {
    }
}
