package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;

/**
 * Drives a {@link BodyRead} from a blocking stream. A read that would wait on the peer needs one of the
 * {@link BodyBudget}'s waiting places, so that slow peers cannot take every server thread.
 */
final class BodyReader {

    /** How long a read with no waiting place polls for bytes already on their way before it gives up. */
    private static final long NO_PLACE_POLL_NANOS = 100_000_000L;

    private BodyReader() {
    }

    /**
     * Reads {@code in} to its end, or until a bound refuses the body; the admission as {@link WebhookEndpoint#admit}
     * returns it. When {@code in} fails, the read is abandoned and the failure rethrown for the caller to answer.
     *
     * @param declaredLength the declared {@code Content-Length}, or -1; only tells when no more bytes need waiting for
     */
    static <T> Admission<T> read(InputStream in, long declaredLength, BodyRead<T> read, BodyBudget budget) throws IOException {
        PlacedStream placed = new PlacedStream(in, declaredLength, budget);
        try {
            BodyRead.Action<T> step;
            do {
                step = read.bytesFrom(placed);
            } while (step instanceof BodyRead.Continue);
            return verdict(step);
        } catch (NoPlaceToWait e) {
            return verdict(read.noPlaceToWait());
        } catch (IOException | RuntimeException | Error e) {
            read.peerGone();
            throw e;
        } finally {
            placed.leave();
        }
    }

    private static <T> Admission<T> verdict(BodyRead.Action<T> last) {
        if (last instanceof BodyRead.Admit<T> admit) {
            return admit.admission();
        }
        if (last instanceof BodyRead.WriteRefusal<T> refusal) {
            return new Admission.Refused<>(refusal.refusal(), null);
        }
        throw new IllegalStateException("the read was over before it started: " + last);
    }

    /** Thrown by a read that would wait on the peer without a waiting place; never leaves {@link BodyReader}. */
    private static final class NoPlaceToWait extends IOException {
        NoPlaceToWait() {
            super(null, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    /** The peer's stream, holding a waiting place of the budget from the first read that would wait on the peer. */
    private static final class PlacedStream extends InputStream {
        private final InputStream in;
        private final long declaredLength;
        private final BodyBudget budget;
        private long passed;
        private boolean placed;

        PlacedStream(InputStream in, long declaredLength, BodyBudget budget) {
            this.in = in;
            this.declaredLength = declaredLength;
            this.budget = budget;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            // Once the declared length is in, the container ends the stream without waiting on the peer.
            boolean allDeclaredIn = declaredLength >= 0 && passed >= declaredLength;
            if (!placed && !allDeclaredIn && in.available() <= 0) {
                if (budget.tryEnterWait()) {
                    placed = true;
                } else if (!pollForBytes(in)) {
                    throw new NoPlaceToWait();
                }
            }
            int n = in.read(b, off, len);
            if (n < 0) {
                // The peer is done: leave the place and close before the endpoint's verdict takes its time, so that a
                // failing close is still answered 400 with nothing claimed.
                leave();
                in.close();
            } else {
                passed += n;
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        void leave() {
            if (placed) {
                placed = false;
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
