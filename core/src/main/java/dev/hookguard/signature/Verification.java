package dev.hookguard.signature;

import java.util.Optional;

/**
 * What a successful verification proved about who signed a body.
 *
 * @param tenant under a {@link SecretResolver}, an opaque identity of the tenant whose secrets verified the body:
 *               derived from those secrets, never from the tenant header's text, so that replaying one delivery
 *               under other header values cannot make it a new delivery; empty with fixed secrets (one sender)
 */
public record Verification(Optional<String> tenant) {

    static final Verification SINGLE_SENDER = new Verification(Optional.empty());

    public Verification {
        java.util.Objects.requireNonNull(tenant, "tenant");
    }
}
