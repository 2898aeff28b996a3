package dev.hookguard.payload;

/**
 * A verified body is not a payload of the sender it claims to come from. The message says what was
 * expected and where (a JSON pointer into the body), never the values found there.
 */
public final class PayloadParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String pointer;

    /**
     * @param pointer JSON pointer (RFC 6901) to the offending place, {@code ""} for the whole body
     * @param problem what was expected, without any value taken from the body
     */
    public PayloadParseException(String pointer, String problem) {
        super(problem + (pointer.isEmpty() ? " (at the root)" : " at " + pointer), null, false, false);
        this.pointer = pointer;
    }

    /** Where in the body the problem is, as a JSON pointer; {@code ""} means the whole body. */
    public String pointer() {
        return pointer;
    }
}
