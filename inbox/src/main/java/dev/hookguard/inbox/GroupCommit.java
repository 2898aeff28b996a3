package dev.hookguard.inbox;

import dev.hookguard.delivery.InboxDelivery;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Concurrent stores share one transaction, as PostgreSQL's own group commit and Kafka's producer batches do, but
 * with no fixed wait: the first store to find no commit in flight commits what has queued so far (itself alone when
 * idle) and answers each with its own outcome; stores that arrive meanwhile queue for the next commit, which one of
 * them leads. One WAL flush then acknowledges many deliveries.
 */
final class GroupCommit {

    /** Stores a batch of deliveries in one transaction: each one's count of new parts, or its own failure. */
    @FunctionalInterface
    interface Committer {
        List<Outcome> commit(List<InboxDelivery> deliveries);
    }

    /** How one delivery of a batch ended: its stored count, or the failure that left it unstored. */
    record Outcome(int stored, SQLException failure) {
    }

    /** Deliveries one commit takes at most; the rest wait for the next. */
    static final int MAX_DELIVERIES = 256;

    private final Object monitor = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Committer committer;
    private boolean committing;

    GroupCommit(Committer committer) {
        this.committer = committer;
    }

    private static final class Pending {
        final InboxDelivery delivery;
        Outcome outcome;

        Pending(InboxDelivery delivery) {
            this.delivery = delivery;
        }
    }

    int store(InboxDelivery delivery) throws SQLException {
        Pending mine = new Pending(delivery);
        boolean interrupted = false;
        try {
            synchronized (monitor) {
                queue.add(mine);
            }
            while (true) {
                List<Pending> batch = new ArrayList<>();
                synchronized (monitor) {
                    while (mine.outcome == null && committing) {
                        try {
                            monitor.wait();
                        } catch (InterruptedException e) {
                            // A store under way is answered truthfully: wait for it, then keep the interrupt.
                            interrupted = true;
                        }
                    }
                    if (mine.outcome != null) {
                        return answer(mine.outcome);
                    }
                    committing = true;
                    while (!queue.isEmpty() && batch.size() < MAX_DELIVERIES) {
                        batch.add(queue.poll());
                    }
                }
                List<Outcome> outcomes;
                try {
                    outcomes = committer.commit(batch.stream().map(p -> p.delivery).toList());
                } catch (RuntimeException | Error e) {
                    SQLException failure = new SQLException("the inbox's commit failed: " + e.getClass().getName(), e);
                    outcomes = batch.stream().map(p -> new Outcome(0, failure)).toList();
                }
                synchronized (monitor) {
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).outcome = outcomes.get(i);
                    }
                    committing = false;
                    monitor.notifyAll();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int answer(Outcome outcome) throws SQLException {
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome.stored();
    }
}
