package dev.hookguard.delivery;

/**
 * How fast a body must arrive: whole within {@code timeoutNanos}, and at {@code minBytesPerSecond} on average once
 * {@code graceNanos} have passed (so a body that arrived whole within its grace is never measured).
 */
record BodyPace(long timeoutNanos, long minBytesPerSecond, long graceNanos) {

    /** Whether a read that has taken {@code elapsedNanos} for {@code received} bytes is past its deadline or below the floor. */
    boolean tooSlow(long elapsedNanos, long received) {
        return elapsedNanos > timeoutNanos
                || (elapsedNanos > graceNanos && received * 1_000_000_000.0 / elapsedNanos < minBytesPerSecond);
    }
}
