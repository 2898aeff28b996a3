package dev.hookguard.inbox;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.signature.SignatureScheme;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The inbox's worker threads: claim, handle through the endpoint, settle; stop within a deadline. */
final class Workers {

    private static final System.Logger LOG = System.getLogger(JdbcInbox.class.getName());

    /**
     * Rows a worker claims at once: one claim transaction (one commit, one fsync) for several rows, each then handled
     * and marked done in its own transaction. Small, so that rows wait little behind a slow one while other workers idle.
     */
    static final int CLAIM_BATCH = 4;

    private final JdbcInbox inbox;
    private final Map<SignatureScheme, WebhookEndpoint<?>> endpoints;
    private final long pollMillis;
    private final List<Thread> threads = new ArrayList<>();
    private final Set<InboxEntry> inHand = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    Workers(JdbcInbox inbox, Map<SignatureScheme, WebhookEndpoint<?>> endpoints, int count, Duration poll) {
        this.inbox = inbox;
        this.endpoints = endpoints; // live: a later JdbcInbox.start adds to it
        this.pollMillis = Math.max(1, poll.toMillis());
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(this::loop, "hookguard-inbox-" + i);
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    void start() {
        threads.forEach(Thread::start);
    }

    void stop(Duration deadline) {
        running = false;
        long until = System.nanoTime() + deadline.toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (until - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Thread thread : threads) {
            thread.interrupt();
        }
        for (Thread thread : threads) {
            try {
                // An interrupted handler ends quickly; what it held is then given back below, not counted as failed.
                thread.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // What did not finish in time goes back at once, rather than waiting out its lease.
        for (InboxEntry entry : inHand) {
            try {
                inbox.release(entry);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "could not give back the lease of an inbox row; it expires on its own");
            }
        }
    }

    private void loop() {
        while (running) {
            List<InboxEntry> claimed;
            try {
                claimed = inbox.claim(CLAIM_BATCH, endpoints.keySet());
            } catch (Exception e) {
                LOG.log(Level.WARNING, () -> "the inbox could not be read (" + e.getClass().getName() + "); trying again");
                claimed = List.of();
            }
            if (claimed.isEmpty()) {
                sleep();
                continue;
            }
            for (InboxEntry entry : claimed) {
                if (!running) {
                    inHand.add(entry);
                    continue;
                }
                inHand.add(entry);
                if (handle(entry)) {
                    inHand.remove(entry);
                }
            }
        }
    }

    /**
     * Handles and settles one row, in one transaction: the handler's writes through {@link JdbcInbox#currentTransaction()}
     * and "done" commit together, or neither does. False when a stop interrupted it, so that the stop gives it back.
     */
    private boolean handle(InboxEntry entry) {
        WebhookEndpoint<?> endpoint = endpoints.get(entry.scheme());
        if (endpoint == null) {
            fail(entry, "no endpoint for " + entry.scheme().id() + " was given to the inbox's workers");
            return true;
        }
        try (Connection transaction = inbox.openTransaction()) {
            boolean handled;
            try {
                JdbcInbox.CURRENT.set(transaction);
                handled = endpoint.handleStored(entry.body(), entry.headers(), entry.tenant(), entry.key());
            } catch (Exception | LinkageError e) {
                transaction.rollback();
                if (!running) {
                    return false;
                }
                fail(entry, e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
                return true;
            } finally {
                JdbcInbox.CURRENT.remove();
            }
            if (!handled) {
                transaction.rollback();
                fail(entry, "not_handled: no handler took it");
            } else if (inbox.markDone(transaction, entry)) {
                transaction.commit();
                inbox.tell(l -> l.handled(entry.scheme()));
            } else {
                // The lease expired and another worker owns the row now: its handling counts, not this one.
                transaction.rollback();
                LOG.log(Level.WARNING, () -> "inbox row " + entry.key() + " outlived its lease; its effects were rolled back");
            }
            return true;
        } catch (SQLException e) {
            LOG.log(Level.WARNING, () -> "the inbox's transaction failed (" + e.getClass().getName() + ", SQLState " + e.getSQLState()
                    + "); the row is tried again when its lease expires");
            return true;
        }
    }

    private void fail(InboxEntry entry, String error) {
        try {
            boolean dead = inbox.markFailed(entry, error);
            inbox.tell(l -> {
                if (dead) {
                    l.deadLettered(entry.scheme());
                } else {
                    l.retried(entry.scheme());
                }
            });
            if (dead) {
                // One line per dead delivery: its key and the error's class, never the body or the message.
                String errorClass = error.contains(":") ? error.substring(0, error.indexOf(':')) : error;
                LOG.log(Level.WARNING, () -> "inbox row " + entry.key() + " is dead after " + entry.attempts() + " attempts: " + errorClass
                        + "; replay it once fixed");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, () -> "could not record an inbox failure; the row's lease expires and it is tried again");
        }
    }

    private void sleep() {
        try {
            Thread.sleep(pollMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
