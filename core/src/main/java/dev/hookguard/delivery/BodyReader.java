package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a body from a blocking stream into a {@link BodyBuffer}. A read that would wait on the peer needs one of
 * the {@link BodyBudget}'s waiting places, so that slow peers cannot take every server thread.
 */
final class BodyReader {

    /** How long a read with no waiting place polls for bytes already on their way before it gives up. */
    private static final long NO_PLACE_POLL_NANOS = 100_000_000L;

    private BodyReader() {
    }

    /**
     * Fills {@code body} from {@code in}; false with {@link BodyBuffer#failure()} set when a bound was hit.
     *
     * @param declaredLength the declared {@code Content-Length}, or -1; only tells when no more bytes need waiting for
     */
    static boolean read(InputStream in, long declaredLength, BodyBuffer body, BodyBudget budget) throws IOException {
        boolean waitingPlace = false;
        try {
            while (body.makeRoom()) {
                // Once the declared length is in, the container ends the stream without waiting on the peer.
                boolean allDeclaredIn = declaredLength >= 0 && body.length() >= declaredLength;
                if (!waitingPlace && !allDeclaredIn && in.available() <= 0) {
                    if (budget.tryEnterWait()) {
                        waitingPlace = true;
                    } else if (!pollForBytes(in)) {
                        return body.fail(BodyBuffer.Failure.TOO_MANY_WAITING);
                    }
                }
                int n = in.read(body.array(), body.length(), body.array().length - body.length());
                if (n < 0) {
                    return true;
                }
                if (!body.advance(n)) {
                    return false;
                }
            }
            return false;
        } finally {
            if (waitingPlace) {
                budget.exitWait();
            }
        }
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
}
