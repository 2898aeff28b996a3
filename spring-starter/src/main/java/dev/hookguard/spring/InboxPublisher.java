package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.signature.SignatureScheme;
import javax.sql.DataSource;

/**
 * Inbox mode's one handler for an endpoint: publishes what a worker took, as direct mode's events style does, inside
 * the worker's transaction as Spring sees it (see {@link InboxSpringTransaction}), and times each run as
 * {@code hookguard.handling}, as direct mode times the request's handling.
 */
final class InboxPublisher implements WebhookHandler<Object> {

    /** Records one handling; {@link #NONE} without Micrometer. */
    @FunctionalInterface
    interface Timer {
        Timer NONE = (scheme, outcome, error, nanos) -> { };

        void record(SignatureScheme scheme, String outcome, String error, long nanos);
    }

    private final PayloadEvents events;
    /** The application's DataSource, whose transaction listeners join; null when they cannot (no single one, no spring-jdbc). */
    private final DataSource transactions;
    private final SignatureScheme scheme;
    private final Timer timer;

    InboxPublisher(PayloadEvents events, DataSource transactions, SignatureScheme scheme, Timer timer) {
        this.events = events;
        this.transactions = transactions;
        this.scheme = scheme;
        this.timer = timer;
    }

    @Override
    public void handle(Object payload) throws Exception {
        long started = System.nanoTime();
        boolean[] taken = {true};
        WebhookHandler<Object> publish = p -> {
            if (!events.publish(p)) {
                taken[0] = false;
                // Retried, then dead: a listener added later can take it on replay.
                throw new IllegalStateException("no @EventListener takes this delivery");
            }
        };
        String outcome = "handled";
        Throwable error = null;
        try {
            if (transactions != null) {
                InboxSpringTransaction.run(transactions, payload, publish);
            } else {
                publish.handle(payload);
            }
        } catch (Exception | Error e) {
            outcome = taken[0] ? "handler_failed" : "not_handled";
            error = taken[0] ? e : null;
            throw e;
        } finally {
            try {
                timer.record(scheme, outcome, HandlingErrors.tag(error), System.nanoTime() - started);
            } catch (RuntimeException e) {
                // A meter registry's refusal must never fail a row that was handled, nor hide why one failed.
                System.getLogger(InboxPublisher.class.getName()).log(System.Logger.Level.WARNING,
                        () -> "could not record hookguard.handling: " + e.getClass().getName());
            }
        }
    }
}
