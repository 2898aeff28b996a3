package dev.hookguard.inbox;

/**
 * How many commits may be in flight on accept, adapted to how long commits take: TCP Vegas's rule, as Netflix's
 * concurrency-limits applies it to servers. A commit about as fast as the fastest recent one shows that the database
 * had room: one more may run beside it (the database far away, its round trip the cost: parallel commits hide it). A
 * commit much slower than that shows a queue somewhere (a CPU, the disk): fewer commits, so each takes more of what
 * has queued (the database close by and busy: one statement for many stores costs less than many). Not thread-safe:
 * its owner holds a lock.
 */
final class CommitLimit {

    /** Commits whose fastest is remembered; the fastest of this window and the last is the base. */
    private static final int WINDOW = 512;
    private static final double ROOM = 0.8;
    private static final double QUEUE = 0.5;

    private final int min;
    private final int max;
    private double limit;
    private long fastest = Long.MAX_VALUE;
    private long fastestBefore = Long.MAX_VALUE;
    private int samples;

    CommitLimit(int min, int initial, int max) {
        if (min < 1 || initial < min || max < initial) {
            throw new IllegalArgumentException("need 1 <= min <= initial <= max");
        }
        this.min = min;
        this.max = max;
        this.limit = initial;
    }

    /** A limit that never moves. */
    static CommitLimit fixed(int slots) {
        return new CommitLimit(slots, slots, slots);
    }

    int slots() {
        return (int) limit;
    }

    /** One commit ended after this long. */
    void onCommit(long nanos) {
        long took = Math.max(1, nanos);
        if (++samples >= WINDOW) {
            fastestBefore = fastest; // so a base measured under other conditions (a failover, a new network path) ages out
            fastest = Long.MAX_VALUE;
            samples = 0;
        }
        fastest = Math.min(fastest, took);
        double ratio = (double) Math.min(fastest, fastestBefore) / took;
        if (ratio >= ROOM) {
            limit = Math.min(max, limit + 1 / limit);
        } else if (ratio < QUEUE) {
            limit = Math.max(min, limit * 0.95);
        }
    }
}
