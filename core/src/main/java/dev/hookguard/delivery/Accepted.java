package dev.hookguard.delivery;

import dev.hookguard.idempotency.IdempotencyStore;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A verified, parsed delivery whose keys this endpoint claimed: the only kind of {@link Admission} with a payload, and
 * the only one that is settled. It settles once, by one rule ({@link #complete(int)}): a 2xx marks its keys done,
 * anything else releases them so that a retry is handled; the first settlement counts, later ones do nothing.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
public final class Accepted<T> implements Admission<T> {

    private final Delivery delivery;
    private final T payload;
    private final List<String> claimedKeys;
    private final IdempotencyStore store;
    private final Watch watch;
    private final Object endpoint;
    private final HandlerFailureLog failures;
    private final long acceptedAtNanos = System.nanoTime();
    private final AtomicBoolean settled = new AtomicBoolean();

    Accepted(Delivery delivery, T payload, List<String> claimedKeys, IdempotencyStore store, Watch watch, Object endpoint,
             HandlerFailureLog failures) {
        this.delivery = delivery;
        this.payload = payload;
        // The endpoint hands over a list it built for this admission and never touches again.
        this.claimedKeys = Collections.unmodifiableList(claimedKeys);
        this.store = store;
        this.watch = watch;
        this.endpoint = endpoint;
        this.failures = failures;
    }

    /** The endpoint that accepted it. */
    Object endpoint() {
        return endpoint;
    }

    @Override
    public Delivery delivery() {
        return delivery;
    }

    /** Always empty: the application's handling decides what to answer. */
    @Override
    public Optional<Outcome> outcome() {
        return Optional.empty();
    }

    /** The verified, parsed payload, without the Mautic events that were handled before. */
    public T payload() {
        return payload;
    }

    /**
     * The payload as the type the application expects.
     *
     * @throws IllegalStateException when the payload is of another type (a Malcolm! delivery read as a Mautic batch)
     */
    public <P> P payloadAs(Class<P> type) {
        if (!type.isInstance(payload)) {
            throw new IllegalStateException("the verified webhook is a " + payload.getClass().getSimpleName() + ", not a "
                    + type.getSimpleName());
        }
        return type.cast(payload);
    }

    /** The idempotency keys this delivery claimed. */
    public List<String> claimedKeys() {
        return claimedKeys;
    }

    /** Whether it was settled already. */
    public boolean isSettled() {
        return settled.get();
    }

    /**
     * Settles from the status the application's own code answered: 2xx marks its keys done, anything else releases
     * them so that a retry is handled.
     */
    public void complete(int status) {
        boolean succeeded = status >= 200 && status < 300;
        settle(succeeded, status, succeeded ? new Outcome.Handled() : new Outcome.Downstream(status), null);
    }

    /** Settles a delivery the application handled: its keys are done; returns the 200 to write. */
    public Outcome handled() {
        settle(true, 200, new Outcome.Handled(), null);
        return Outcome.handled();
    }

    /**
     * Settles a delivery whose handling threw: logs the failure once with its stack trace (its messages only where
     * {@link WebhookEndpoint.Builder#logExceptionMessages} allowed them, since they may quote payload values), releases
     * the keys so a retry is handled, and returns the 500 problem to write, which holds no exception text.
     */
    public Outcome failed(Throwable error) {
        failures.log(error, "; the delivery is released so a retry is handled");
        Outcome outcome = Refusal.HANDLER_FAILED.outcome(watch.scheme(), 0, false);
        settle(false, outcome.status(), outcome.result(), error);
        return outcome;
    }

    /**
     * Settles a delivery that nothing handled (no route, handler or listener took it): its keys are released, never
     * marked done, and the answer is a 404 problem, so that nothing unhandled is acknowledged and the same delivery is
     * handled when it arrives where something takes it.
     */
    public Outcome notHandled() {
        Outcome outcome = Refusal.NOT_HANDLED.outcome(watch.scheme(), 0, false);
        if (!settled.get()) {
            // One line that says what happened: the key (a sender's text, made printable) and why, never the payload.
            String key = claimedKeys.isEmpty() ? "(no key)" : Failures.printable(claimedKeys.get(0))
                    + (claimedKeys.size() > 1 ? " and " + (claimedKeys.size() - 1) + " more" : "");
            System.getLogger(Admission.class.getName()).log(System.Logger.Level.WARNING, () -> "a verified delivery (" + key
                    + ") was answered 404 not_handled: no handler, route or listener takes it; it was not recorded");
        }
        settle(false, outcome.status(), outcome.result(), null);
        return outcome;
    }

    private void settle(boolean succeeded, int status, Outcome.Result result, Throwable failure) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        for (String key : claimedKeys) {
            try {
                if (succeeded) {
                    store.markDone(key);
                } else {
                    store.release(key);
                }
            } catch (RuntimeException e) {
                // The claim then expires on its own; the delivery itself was handled (or not) as answered.
                System.getLogger(Accepted.class.getName()).log(System.Logger.Level.WARNING,
                        () -> "could not settle an idempotency key: " + e.getClass().getName());
            }
        }
        watch.settle(result, status, System.nanoTime() - acceptedAtNanos, failure);
    }
}
