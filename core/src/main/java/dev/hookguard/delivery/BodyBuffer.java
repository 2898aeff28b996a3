package dev.hookguard.delivery;

import java.util.Arrays;

/**
 * The bytes of one body as they arrive, under every bound that holds before authentication: never more than the
 * limit plus one byte, grown with the bytes received (never sized from {@code Content-Length}), reserved from the
 * shared {@link BodyBudget}, and within a deadline and a minimum rate. Not thread-safe; the owner releases
 * {@link #reserved()} to the budget once.
 */
final class BodyBuffer {

    /** Why a body was not read whole. */
    enum Failure { TOO_LARGE, NO_BUDGET, TOO_MANY_WAITING, TOO_SLOW }

    private static final int FIRST_BUFFER = 8192;

    private final BodyBudget budget;
    private final int limit;
    private final long timeoutNanos;
    private final long minRate;
    private final long graceNanos;
    private final long startNanos = System.nanoTime();
    private byte[] buffer = new byte[0];
    private int length;
    private long reserved;
    private Failure failure;

    /**
     * @param timeoutNanos the whole read's deadline
     * @param minRate      bytes per second the read must average once {@code graceNanos} have passed
     */
    BodyBuffer(BodyBudget budget, int limit, long timeoutNanos, long minRate, long graceNanos) {
        this.budget = budget;
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.minRate = minRate;
        this.graceNanos = graceNanos;
    }

    /** Room for at least one more byte, reserved from the budget; false (with {@link #failure()}) when there is none. */
    boolean makeRoom() {
        if (failure != null) {
            return false;
        }
        int cap = limit + 1;
        if (length == cap) {
            return fail(Failure.TOO_LARGE);
        }
        if (length == buffer.length) {
            int grown = (int) Math.min(cap, Math.max(FIRST_BUFFER, buffer.length * 2L));
            if (!budget.tryReserve(grown - buffer.length)) {
                return fail(Failure.NO_BUDGET);
            }
            reserved += grown - buffer.length;
            buffer = Arrays.copyOf(buffer, grown);
        }
        return true;
    }

    byte[] array() {
        return buffer;
    }

    int length() {
        return length;
    }

    /** Counts {@code n} bytes written at {@link #length()}, then checks the limit, the deadline and the rate. */
    boolean advance(int n) {
        length += n;
        if (length > limit) {
            return fail(Failure.TOO_LARGE);
        }
        long elapsed = System.nanoTime() - startNanos;
        if (elapsed > timeoutNanos || (elapsed > graceNanos && length * 1_000_000_000.0 / elapsed < minRate)) {
            return fail(Failure.TOO_SLOW);
        }
        return true;
    }

    /** Copies bytes in, growing as needed. */
    boolean append(byte[] bytes, int offset, int count) {
        int done = 0;
        while (done < count) {
            if (!makeRoom()) {
                return false;
            }
            int n = Math.min(count - done, buffer.length - length);
            System.arraycopy(bytes, offset + done, buffer, length, n);
            done += n;
            if (!advance(n)) {
                return false;
            }
        }
        return true;
    }

    /** The body read so far, exactly as long as it is. */
    byte[] bytes() {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    boolean fail(Failure why) {
        failure = why;
        return false;
    }

    Failure failure() {
        return failure;
    }

    long reserved() {
        return reserved;
    }

    /** Gives the reserved bytes back to the budget; later calls do nothing. */
    void release() {
        budget.release(reserved);
        reserved = 0;
    }
}
