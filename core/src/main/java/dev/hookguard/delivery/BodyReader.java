package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a body under every bound that holds before authentication: never more than the limit plus one byte,
 * a buffer that grows with the bytes that arrived (never sized from {@code Content-Length}), the shared
 * {@link BodyBudget}, a deadline and a minimum rate. The caller gives back {@link #reserved()} to the budget.
 */
final class BodyReader {

    /** Why a body was not read whole. */
    enum Failure { TOO_LARGE, NO_BUDGET, TOO_MANY_WAITING, TOO_SLOW }

    private static final int FIRST_BUFFER = 8192;
    /** How long a read with no waiting place polls for bytes already on their way before it gives up. */
    private static final long NO_PLACE_POLL_NANOS = 100_000_000L;

    private final BodyBudget budget;
    private long reserved;
    private Failure failure;

    BodyReader(BodyBudget budget) {
        this.budget = budget;
    }

    long reserved() {
        return reserved;
    }

    Failure failure() {
        return failure;
    }

    /**
     * The body, or {@code null} with {@link #failure()} set.
     *
     * @param declaredLength the declared {@code Content-Length}, or -1; only tells when no more bytes need waiting for
     * @param timeoutNanos   the whole read's deadline
     * @param minRate        bytes per second the read must average once {@code graceNanos} have passed
     */
    byte[] read(InputStream in, long declaredLength, int limit, long timeoutNanos, long minRate, long graceNanos) throws IOException {
        int cap = limit + 1;
        int size = Math.min(cap, FIRST_BUFFER);
        if (!reserve(size)) {
            return null;
        }
        byte[] buffer = new byte[size];
        int length = 0;
        long start = System.nanoTime();
        boolean waitingPlace = false;
        try {
            while (length < cap) {
                if (length == buffer.length) {
                    int grown = (int) Math.min(cap, buffer.length * 2L);
                    if (!reserve(grown - buffer.length)) {
                        return null;
                    }
                    buffer = Arrays.copyOf(buffer, grown);
                }
                // Once the declared length is in, the container ends the stream without waiting on the peer.
                boolean allDeclaredIn = declaredLength >= 0 && length >= declaredLength;
                if (!waitingPlace && !allDeclaredIn && in.available() <= 0) {
                    // This read would wait on the peer: only a bounded number may, so slow peers cannot take every thread.
                    if (!budget.tryEnterWait()) {
                        if (!pollForBytes(in)) {
                            failure = Failure.TOO_MANY_WAITING;
                            return null;
                        }
                    } else {
                        waitingPlace = true;
                    }
                }
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    break;
                }
                length += n;
                long elapsed = System.nanoTime() - start;
                if (length < cap && (elapsed > timeoutNanos
                        || (elapsed > graceNanos && length * 1_000_000_000.0 / elapsed < minRate))) {
                    failure = Failure.TOO_SLOW;
                    return null;
                }
            }
        } finally {
            if (waitingPlace) {
                budget.exitWait();
            }
        }
        if (length > limit) {
            failure = Failure.TOO_LARGE;
            return null;
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    /** Bytes of a fast sender may be a moment behind its headers: wait a little for them without a place. */
    private static boolean pollForBytes(InputStream in) throws IOException {
        long until = System.nanoTime() + NO_PLACE_POLL_NANOS;
        while (System.nanoTime() < until) {
            if (in.available() > 0) {
                return true;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return in.available() > 0;
    }

    private boolean reserve(long bytes) {
        if (!budget.tryReserve(bytes)) {
            failure = Failure.NO_BUDGET;
            return false;
        }
        reserved += bytes;
        return true;
    }
}
