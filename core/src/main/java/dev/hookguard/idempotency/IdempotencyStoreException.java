package dev.hookguard.idempotency;

/** The idempotency store could not be reached or updated; the delivery should be retried later. */
public final class IdempotencyStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
