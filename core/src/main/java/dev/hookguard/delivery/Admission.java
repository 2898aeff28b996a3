package dev.hookguard.delivery;

import dev.hookguard.idempotency.IdempotencyStore;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The endpoint's verdict on a delivery before the application sees it: refused (with the outcome to write),
 * a duplicate of one already handled (answered 2xx, not handled again), or accepted, with the typed payload and
 * idempotency claims that {@link #complete} settles once the application has handled it.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
public final class Admission<T> {

    private final Outcome outcome;
    private final Delivery delivery;
    private final T payload;
    private final List<String> claimedKeys;
    private final IdempotencyStore store;
    private final Completion completion;
    private final Object endpoint;
    private final long acceptedAtNanos = System.nanoTime();
    private final AtomicBoolean completed = new AtomicBoolean();

    /** Tells the endpoint's listeners how an accepted delivery ended. */
    interface Completion {
        void completed(int status, String code, long handlingNanos);
    }

    private Admission(Outcome outcome, Delivery delivery, T payload, List<String> claimedKeys, IdempotencyStore store,
                      Completion completion, Object endpoint) {
        this.endpoint = endpoint;
        this.outcome = outcome;
        this.delivery = delivery;
        this.payload = payload;
        this.claimedKeys = claimedKeys;
        this.store = store;
        this.completion = completion;
    }

    static <T> Admission<T> refused(Outcome outcome, Delivery delivery) {
        return new Admission<>(outcome, delivery, null, List.of(), null, null, null);
    }

    /** Finished without the application: stored in an inbox, say. */
    static <T> Admission<T> finished(Outcome outcome, Delivery delivery) {
        return new Admission<>(outcome, delivery, null, List.of(), null, null, null);
    }

    static <T> Admission<T> duplicate(Delivery delivery) {
        return new Admission<>(Outcome.ok(), delivery, null, List.of(), null, null, null);
    }

    static <T> Admission<T> accepted(Delivery delivery, T payload, List<String> claimedKeys, IdempotencyStore store,
                                     Completion completion, Object endpoint) {
        // The endpoint hands over a list it built for this admission and never touches again.
        return new Admission<>(null, delivery, payload, Collections.unmodifiableList(claimedKeys), store, completion, endpoint);
    }

    /** The endpoint that accepted it; {@code null} for a refusal. */
    Object endpoint() {
        return endpoint;
    }

    /** True when the application should handle {@link #payload()}. */
    public boolean isAccepted() {
        return outcome == null;
    }

    /** For a refusal or a finished duplicate: the outcome to write. Empty for an accepted delivery. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    /** The delivery as read; {@code null} when it was refused before its body was read. */
    public Delivery delivery() {
        return delivery;
    }

    /**
     * The verified, parsed payload, without the Mautic events that were handled before.
     *
     * @throws IllegalStateException when the delivery was not accepted
     */
    public T payload() {
        if (!isAccepted()) {
            throw new IllegalStateException("the delivery was not accepted");
        }
        return payload;
    }

    /**
     * The payload as the type the application expects.
     *
     * @throws IllegalStateException when the delivery was not accepted, or its payload is of another type (a Malcolm!
     *                               session where a Mautic batch was expected: the adapter is mounted on the wrong path)
     */
    public <P> P payloadAs(Class<P> type) {
        Object accepted = payload();
        if (!type.isInstance(accepted)) {
            throw new IllegalStateException("the verified webhook is a " + accepted.getClass().getSimpleName() + ", not a "
                    + type.getSimpleName());
        }
        return type.cast(accepted);
    }

    /** The idempotency keys this delivery claimed. */
    public List<String> claimedKeys() {
        return claimedKeys;
    }

    /**
     * Settles an accepted delivery: marks its keys done when the application succeeded, releases them when it
     * failed (so a retry is handled). Only the first call counts.
     *
     * @return 200 on success, else the 500 problem to write
     */
    public Outcome complete(boolean succeeded) {
        settle(succeeded, succeeded ? 200 : 500, succeeded ? "handled" : "handler_failed");
        return succeeded ? Outcome.ok()
                : Outcome.refuse(500, "handler_failed", "Webhook handler failed",
                        "the application failed to handle this delivery; it may be delivered again");
    }

    /**
     * Settles an accepted delivery whose handler threw: logs the failure once with its stack trace (its messages
     * only where {@link WebhookEndpoint.Builder#logExceptionMessages} allowed them, since they may quote payload
     * values), releases the keys so a retry is handled, and
     * returns the 500 problem to write, which holds no exception text.
     */
    public Outcome failed(Throwable error) {
        String what = "; the delivery is released so a retry is handled";
        if (endpoint instanceof WebhookEndpoint<?> accepting) {
            accepting.logHandlerFailure(error, what);
        } else {
            System.getLogger(Admission.class.getName()).log(System.Logger.Level.ERROR, "the webhook handler failed" + what,
                    Failures.withoutMessages(error));
        }
        return complete(false);
    }

    /**
     * Settles an accepted delivery from the status the application's own code answered: 2xx marks its keys
     * done, anything else releases them.
     */
    public void complete(int status) {
        boolean succeeded = status >= 200 && status < 300;
        settle(succeeded, status, succeeded ? "handled" : "downstream_" + status);
    }

    /**
     * Settles an accepted delivery that nothing handled (no route, handler or listener took it): its keys are
     * released, never marked done, and the answer is a 404 problem, so that nothing unhandled is acknowledged and
     * the same delivery is handled when it arrives where something takes it.
     */
    public Outcome notHandled() {
        if (!completed.get()) {
            // One line that says what happened: the key (a sender's text, made printable) and why, never the payload.
            String key = claimedKeys.isEmpty() ? "(no key)" : printable(claimedKeys.get(0))
                    + (claimedKeys.size() > 1 ? " and " + (claimedKeys.size() - 1) + " more" : "");
            System.getLogger(Admission.class.getName()).log(System.Logger.Level.WARNING, () -> "a verified delivery (" + key
                    + ") was answered 404 not_handled: no handler, route or listener takes it; it was not recorded");
        }
        settle(false, 404, "not_handled");
        return Outcome.refuse(404, "not_handled", "No handler",
                "nothing in this application handles this delivery; it was not recorded");
    }

    private static String printable(String key) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < key.length() && i < 120; i++) {
            char ch = key.charAt(i);
            out.append(Character.isISOControl(ch) ? '?' : ch);
        }
        return key.length() > 120 ? out.append('…').toString() : out.toString();
    }

    private void settle(boolean succeeded, int status, String code) {
        if (!isAccepted()) {
            throw new IllegalStateException("the delivery was not accepted");
        }
        if (completed.compareAndSet(false, true)) {
            for (String key : claimedKeys) {
                try {
                    if (succeeded) {
                        store.markDone(key);
                    } else {
                        store.release(key);
                    }
                } catch (RuntimeException e) {
                    // The claim then expires on its own; the delivery itself was handled (or not) as answered.
                    System.getLogger(Admission.class.getName()).log(System.Logger.Level.WARNING,
                            () -> "could not settle an idempotency key: " + e.getClass().getName());
                }
            }
            completion.completed(status, code, System.nanoTime() - acceptedAtNanos);
        }
    }
}
