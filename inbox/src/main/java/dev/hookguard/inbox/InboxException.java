package dev.hookguard.inbox;

/** The inbox's database failed; the message says what was being done, the cause is the driver's. */
public final class InboxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
