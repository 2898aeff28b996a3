package dev.hookguard.inbox;

import dev.hookguard.delivery.spi.InboxDelivery;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * Concurrent stores share one statement and one commit, as PostgreSQL's own group commit and Kafka's producer
 * batches do, but with no fixed wait ({@code linger.ms = 0}): a store that finds a commit slot free commits at once,
 * alone when idle (the slots are commits in flight, as a Kafka producer's {@code max.in.flight.requests}); stores
 * that arrive while every slot is busy queue, and when a commit ends, the first of them
 * leads the next commit with everything queued by then. Each store is answered with its own outcome.
 *
 * <p>Waiting is per thread ({@link LockSupport#park}), so a finished commit wakes exactly its own members and the
 * next leader, never every waiter. A queued store leaves with a timeout when no commit takes it within the store
 * timeout (so a stuck commit never holds a request longer than that); once a leader has taken it, it stays, because
 * the leader may already be committing it, and its wait is bounded by the leader's own store timeout. An interrupt is
 * kept for after the answer, never acted on: a leader runs its commit with the flag clear, whoever interrupted it.
 */
final class GroupCommit {

    /** Stores deliveries together: each one's own outcome, in order. Must not throw for one delivery's fault. */
    @FunctionalInterface
    interface Committer {
        List<Outcome> commit(List<InboxDelivery> deliveries);
    }

    /** How one delivery of a commit ended: its count of new parts, or the failure that left it unstored. */
    record Outcome(int stored, SQLException failure) {

        static Outcome stored(int count) {
            return new Outcome(count, null);
        }

        static Outcome failed(SQLException failure) {
            return new Outcome(0, failure);
        }
    }

    /** Deliveries one commit takes at most; the rest wait for the next. */
    static final int MAX_DELIVERIES = 256;
    /** Parts one commit takes at most, unless its leader alone has more. */
    static final int MAX_PARTS = 4096;
    /** Body bytes one commit takes at most, unless its leader alone has more: one statement stays far below PostgreSQL's 1 GB message. */
    static final long MAX_BYTES = 32L << 20;

    private static final int WAITING = 0;
    private static final int LEADING = 1;
    private static final int ANSWERED = 2;
    private static final int LEFT = 3;
    private static final Pending[] NONE = new Pending[0];
    /** For a commit that ended without outcomes and without memory to describe why (an OutOfMemoryError). */
    private static final Outcome NO_OUTCOME = Outcome.failed(new SQLException("the inbox's commit ended without an outcome"));

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Committer committer;
    private final CommitLimit limit; // guarded by lock
    private final Predicate<SQLException> failsTheQueue;
    private final long maxQueuedNanos;
    private int committing; // commits in flight: while the queue holds anything, at least one, and as many as the limit allows

    /**
     * @param limit         how many commits may be in flight at once
     * @param failsTheQueue a commit failure that every queued store would meet too (the database away, with a spool
     *                      to take them): they are answered with it at once instead of each waiting as long again
     * @param maxQueued     how long a store may wait for a commit to take it (the store timeout)
     */
    GroupCommit(Committer committer, CommitLimit limit, Predicate<SQLException> failsTheQueue, java.time.Duration maxQueued) {
        this.committer = committer;
        this.limit = limit;
        this.failsTheQueue = failsTheQueue;
        this.maxQueuedNanos = maxQueued.toNanos();
    }

    private static final class Pending {
        final InboxDelivery delivery;
        final Thread thread = Thread.currentThread();
        volatile int state = WAITING;
        Outcome outcome; // written before state becomes ANSWERED, read after
        boolean interrupted; // its own thread's only

        Pending(InboxDelivery delivery) {
            this.delivery = delivery;
        }
    }

    /** Stores one delivery with whatever else is queued: its own count of new parts, or its own failure. */
    int store(InboxDelivery delivery) throws SQLException {
        Pending mine = new Pending(delivery);
        boolean lead;
        lock.lock();
        try {
            lead = committing < limit.slots();
            if (lead) {
                committing++;
            } else {
                queue.add(mine);
            }
        } finally {
            lock.unlock();
        }
        // A commit runs with the flag clear: the pool and the driver would fail the whole batch on it.
        boolean interrupted = Thread.interrupted();
        try {
            int state = lead ? LEADING : awaitTurn(mine);
            interrupted |= mine.interrupted;
            if (state == LEFT) {
                throw new SQLTimeoutException("no commit took this store within the store timeout (" + maxQueuedNanos / 1_000_000
                        + " ms): the commits before it are stuck", "57014");
            }
            if (state == LEADING) {
                lead(mine);
            }
            return answer(mine.outcome);
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Parks until this store is answered or called to lead, or leaves at its deadline when no leader has taken it.
     * Interrupts are swallowed here; {@link #store} sets the flag again once it is answered.
     */
    private int awaitTurn(Pending mine) {
        long deadline = System.nanoTime() + maxQueuedNanos;
        boolean mayLeave = true;
        int state;
        while ((state = mine.state) == WAITING) {
            long left = deadline - System.nanoTime();
            if (mayLeave && left <= 0) {
                if (leave(mine)) {
                    return LEFT;
                }
                mayLeave = false; // a leader has it: its answer comes within the leader's own store timeout
            }
            if (mayLeave) {
                LockSupport.parkNanos(mine, left);
            } else {
                LockSupport.park(mine);
            }
            mine.interrupted |= Thread.interrupted();
        }
        return state;
    }

    /** Leaves the queue, unless a leader has taken this store already (then it must wait for its answer). */
    private boolean leave(Pending mine) {
        lock.lock();
        try {
            return queue.remove(mine);
        } finally {
            lock.unlock();
        }
    }

    /** Stores waiting for a commit slot, for tests. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void lead(Pending mine) {
        Pending[] batch = null;
        int size = 0;
        List<Outcome> outcomes = null;
        Throwable thrown = null;
        SQLException queueFails = null;
        long took = -1;
        boolean lone = false;
        try {
            batch = new Pending[MAX_DELIVERIES];
            batch[size++] = mine;
            int parts = mine.delivery.parts().size();
            long bytes = bytes(mine.delivery);
            lock.lock();
            try {
                Pending next;
                while (size < MAX_DELIVERIES && (next = queue.peek()) != null
                        && parts + next.delivery.parts().size() <= MAX_PARTS && bytes + bytes(next.delivery) <= MAX_BYTES) {
                    batch[size++] = queue.poll(); // into an array made beforehand: a store polled is always answered below
                    parts += next.delivery.parts().size();
                    bytes += bytes(next.delivery);
                }
            } finally {
                lock.unlock();
            }
            List<InboxDelivery> deliveries = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                deliveries.add(batch[i].delivery);
            }
            long started = System.nanoTime();
            try {
                outcomes = committer.commit(deliveries);
            } catch (RuntimeException | Error e) {
                thrown = e;
            }
            long elapsed = System.nanoTime() - started;
            if (outcomes == null || outcomes.size() != size) {
                SQLException failure = new SQLException("the inbox's commit failed: "
                        + (thrown == null ? "no outcome for each delivery" : thrown.getClass().getName()), thrown);
                outcomes = java.util.Collections.nCopies(size, Outcome.failed(failure));
            }
            boolean wrote = false;
            boolean failed = false;
            for (Outcome outcome : outcomes) {
                if (outcome == null || outcome.failure() != null) {
                    failed = true;
                    if (outcome != null && queueFails == null && failsTheQueue.test(outcome.failure())) {
                        queueFails = outcome.failure();
                    }
                } else if (outcome.stored() > 0) {
                    wrote = true;
                }
            }
            // The limit learns only from commits that wrote and met no failure: a duplicate writes nothing and flushes
            // nothing, a refusal may come at once, and either would set a pace no real commit keeps.
            took = wrote && !failed ? elapsed : -1;
            lone = size == 1 && mine.delivery.parts().size() == 1;
        } catch (RuntimeException | Error e) { // out of memory before or after the commit
            if (thrown == null) {
                thrown = e;
            }
        } finally {
            // Whatever failed above, the slot moves on and every store taken is answered.
            try {
                handOver(queueFails, took, lone);
            } finally {
                boolean valid = outcomes != null && outcomes.size() == size;
                for (int i = 0; i < size; i++) {
                    Outcome outcome = valid ? outcomes.get(i) : null;
                    answer(batch[i], outcome != null ? outcome : NO_OUTCOME);
                }
                if (size == 0) {
                    answer(mine, NO_OUTCOME);
                }
            }
        }
        if (thrown instanceof Error error) {
            throw error; // the leader's own request fails loudly; its members were answered above
        }
    }

    private static long bytes(InboxDelivery delivery) {
        long bytes = 0;
        for (InboxDelivery.Part part : delivery.parts()) {
            bytes += part.body().length;
        }
        return bytes;
    }

    /**
     * The slot goes to the first queued store, or is freed; a failure the queue would only meet again answers it all.
     * The limit learns how long the commit took: when it has shrunk, the slot is freed for another commit in flight
     * to hand on; when it has grown, a second queued store is called to lead beside the first. The slot is settled
     * before anything is allocated, so running out of memory here never leaves it taken.
     */
    private void handOver(SQLException failure, long took, boolean lone) {
        Pending[] failedToo = NONE;
        Pending next = null;
        Pending beside = null;
        lock.lock();
        try {
            if (took >= 0) {
                limit.onCommit(System.nanoTime(), took, lone);
            }
            boolean shrink = committing > limit.slots() && committing > 1; // another commit in flight hands on the queue
            if ((failure == null || queue.isEmpty()) && !shrink) {
                next = queue.poll();
            }
            if (next == null) {
                committing--;
            }
            if (failure != null && !queue.isEmpty()) {
                failedToo = queue.toArray(NONE); // if this fails, the queue stays: the next store to come leads it
                queue.clear();
            } else if (failure == null && committing < limit.slots()) {
                beside = queue.poll();
                if (beside != null) {
                    committing++;
                }
            }
        } finally {
            lock.unlock();
        }
        callToLead(next);
        callToLead(beside);
        if (failedToo.length > 0) {
            Outcome failed;
            try {
                failed = Outcome.failed(failure);
            } catch (Error e) {
                failed = NO_OUTCOME; // every store taken from the queue must be answered, memory or not
            }
            for (Pending p : failedToo) {
                answer(p, failed);
            }
        }
    }

    private static void callToLead(Pending pending) {
        if (pending != null) {
            pending.state = LEADING;
            LockSupport.unpark(pending.thread);
        }
    }

    private static void answer(Pending pending, Outcome outcome) {
        pending.outcome = outcome;
        pending.state = ANSWERED;
        if (pending.thread != Thread.currentThread()) {
            LockSupport.unpark(pending.thread);
        }
    }

    private static int answer(Outcome outcome) throws SQLException {
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.stored();
    }
}
