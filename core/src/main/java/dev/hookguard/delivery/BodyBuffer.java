package dev.hookguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The bytes of one body as they arrive, under the bounds on memory: never more than the limit plus one byte, grown
 * with the bytes received (never sized from {@code Content-Length}) and reserved from the shared {@link BodyBudget}.
 * Time is not its concern ({@link BodyRead} keeps the pace). Not thread-safe; {@link #release()} gives the
 * reservation back.
 */
final class BodyBuffer {

    /** Why a body was not read whole. */
    enum Failure { TOO_LARGE, NO_BUDGET, TOO_MANY_WAITING, TOO_SLOW }

    /** What became of one fill: bytes taken, the stream's end, or a bound that stops the read. */
    enum Fill {
        TAKEN(null), ENDED(null), OVER_LIMIT(Failure.TOO_LARGE), OUT_OF_BUDGET(Failure.NO_BUDGET);

        /** Why the read stops; {@code null} when it goes on. */
        final Failure failure;

        Fill(Failure failure) {
            this.failure = failure;
        }
    }

    private static final int FIRST_BUFFER = 8192;

    private final BodyBudget budget;
    private final int limit;
    private byte[] buffer = new byte[0];
    private int length;
    private long reserved;

    BodyBuffer(BodyBudget budget, int limit) {
        this.budget = budget;
        this.limit = limit;
    }

    /** Copies bytes in, growing as needed; stops at the first bound hit. */
    Fill append(byte[] bytes, int offset, int count) {
        int done = 0;
        while (done < count) {
            Fill room = makeRoom();
            if (room != Fill.TAKEN) {
                return room;
            }
            int n = Math.min(count - done, buffer.length - length);
            System.arraycopy(bytes, offset + done, buffer, length, n);
            done += n;
            length += n;
        }
        return length > limit ? Fill.OVER_LIMIT : Fill.TAKEN;
    }

    /** One read from {@code in} into the room left (growing first if there is none): blocks as {@code in} does. */
    Fill readFrom(InputStream in) throws IOException {
        Fill room = makeRoom();
        if (room != Fill.TAKEN) {
            return room;
        }
        int n = in.read(buffer, length, buffer.length - length);
        if (n < 0) {
            return Fill.ENDED;
        }
        length += n;
        return length > limit ? Fill.OVER_LIMIT : Fill.TAKEN;
    }

    /** Room for at least one more byte, reserved from the budget, but never past the limit plus one byte. */
    private Fill makeRoom() {
        int cap = limit + 1;
        if (length == cap) {
            return Fill.OVER_LIMIT;
        }
        if (length == buffer.length) {
            int grown = (int) Math.min(cap, Math.max(FIRST_BUFFER, buffer.length * 2L));
            if (!budget.tryReserve(grown - buffer.length)) {
                return Fill.OUT_OF_BUDGET;
            }
            reserved += grown - buffer.length;
            buffer = Arrays.copyOf(buffer, grown);
        }
        return Fill.TAKEN;
    }

    /** How many bytes arrived so far. */
    int length() {
        return length;
    }

    /** The body read so far, exactly as long as it is. */
    byte[] bytes() {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    /** Gives the reserved bytes back to the budget; later calls do nothing. */
    void release() {
        budget.release(reserved);
        reserved = 0;
    }
}
