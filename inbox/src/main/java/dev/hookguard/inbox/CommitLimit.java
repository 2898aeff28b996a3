package dev.hookguard.inbox;

/**
 * How many commits may be in flight on accept, adapted to how long commits take: TCP Vegas's rule. The base is what a
 * commit of one part costs with no queue: the fastest lone commit seen lately. A commit about as fast as that shows
 * that the database had room: one more may run beside it (a database far away, its round trip the cost: parallel
 * commits hide it). A commit much slower than that shows a queue somewhere (a CPU, the disk): fewer commits, so each
 * takes more of what has queued (a database close by and busy: one statement for many stores costs less than many).
 * Under a steady load no lone commit may come for a long time; the base is then kept, not aged, since the commits
 * that do come are the queued ones it must be compared with. Not thread-safe: its owner holds a lock.
 */
final class CommitLimit {

    /** How long a base is kept before the fastest lone commit of a newer period replaces it. */
    private static final long PERIOD_NANOS = 10_000_000_000L;
    private static final double ROOM = 0.8;
    private static final double QUEUE = 0.5;

    private final int min;
    private final int max;
    private double limit;
    private long base = Long.MAX_VALUE;      // the fastest lone commit of the last period that had one
    private long fastest = Long.MAX_VALUE;   // the fastest lone commit of this period
    private long periodStart = Long.MIN_VALUE;

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

    /**
     * One commit that wrote, and met no failure, ended.
     *
     * @param now   {@link System#nanoTime()} at its end
     * @param nanos how long it took
     * @param lone  whether it was one part alone: a measure of the base
     */
    void onCommit(long now, long nanos, boolean lone) {
        long took = Math.max(1, nanos);
        if (periodStart == Long.MIN_VALUE || now - periodStart >= PERIOD_NANOS) {
            if (fastest != Long.MAX_VALUE) {
                base = fastest;
            }
            fastest = Long.MAX_VALUE;
            periodStart = now;
        }
        if (lone) {
            fastest = Math.min(fastest, took);
        }
        long against = Math.min(base, fastest);
        if (against == Long.MAX_VALUE) {
            return; // no lone commit seen yet: nothing to judge by
        }
        double ratio = (double) against / took;
        if (ratio >= ROOM) {
            limit = Math.min(max, limit + 1 / limit);
        } else if (ratio < QUEUE) {
            limit = Math.max(min, limit * 0.95);
        }
    }
}
