package dev.hookguard.delivery;

/**
 * What adapters share when handing a verified payload to application code: the type check, and the same message
 * for a request that nothing verified. Used by the servlet filter's and the Javalin plugin's accessors.
 */
public final class VerifiedPayloads {

    private VerifiedPayloads() {
    }

    /**
     * @param attached what the adapter attached to the request, or {@code null}
     * @param type     the type the application asks for
     * @param hint     how to mount the adapter, for the message when nothing was verified
     * @throws IllegalStateException when nothing, or something of another type, was verified
     */
    public static <T> T as(Object attached, Class<T> type, String hint) {
        if (type.isInstance(attached)) {
            return type.cast(attached);
        }
        throw new IllegalStateException(attached == null
                ? "no verified webhook on this request: " + hint
                : "the verified webhook is a " + attached.getClass().getSimpleName() + ", not a " + type.getSimpleName());
    }
}
