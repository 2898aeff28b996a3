package dev.hookguard.signature;

/**
 * A delivery's signature did not prove that it came from the configured sender. The message names the
 * reason and the header, never a secret, a computed digest or the body.
 */
public final class SignatureVerificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a signature was refused. */
    public enum Reason {
        /** No signature header, or an empty one (Mautic 5 sends an empty header for a webhook without secret). */
        MISSING,
        /** The header is not the scheme's prefix followed by a base64 32-byte digest. */
        MALFORMED,
        /** Well formed, but no current secret produces it over these bytes. */
        MISMATCH,
        /**
         * The secret resolver knows no secret for the sending tenant, or the tenant header is missing. Answer it as
         * you answer {@link #MISMATCH}, so that no one learns which tenants exist.
         */
        UNKNOWN_TENANT
    }

    private final Reason reason;

    SignatureVerificationException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    /** Why verification failed. */
    public Reason reason() {
        return reason;
    }
}
