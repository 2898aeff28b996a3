package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;

/**
 * The one sink for everything that watches deliveries: told when each request arrives and, once, how it settled,
 * from one place, whichever way it ended (the Spring Boot starter's metrics and its Observation are two
 * implementations). An observer can start a span or a timer before anything of the body is read; a
 * {@link DeliveryListener} is an observer told only the end.
 */
@FunctionalInterface
public interface DeliveryObserver {

    /**
     * A request arrived at the endpoint; nothing of it has been read yet. Called on the request thread; must be
     * quick and must not throw.
     *
     * @return what to tell, once, how this delivery settled; never {@code null}
     */
    Settlement arrived(SignatureScheme scheme);

    /** Told once how one delivery settled, on whichever thread settled it. Must be quick and must not throw. */
    @FunctionalInterface
    interface Settlement {

        /**
         * @param status    the status answered; {@code 0} when the peer went away before anything was answered
         * @param code      as {@link DeliveryListener#delivered}: the problem's code, {@code handled}, {@code duplicate},
         *                  {@code stored}; {@code abandoned} when the peer went away mid-body
         * @param eventType Mautic: the batch's event type ({@code mautic.form_on_submit}), {@code mixed} when it holds
         *                  several, {@code unknown} for types Hookguard does not know; Malcolm!: {@code workflow_session};
         *                  {@code none} when the body was not parsed (or held no event). A small, bounded set of values.
         */
        void settled(int status, String code, String eventType);

        /** Everything known when the delivery settled; by default {@link #settled(int, String, String)}. */
        default void settled(Settled settled) {
            settled(settled.status(), settled.code(), settled.eventType());
        }
    }

    /**
     * How one delivery settled.
     *
     * @param scheme        the sender's scheme
     * @param status        the status answered; {@code 0} when the peer went away before anything was answered
     * @param result        what became of it: handled, duplicate, stored, abandoned, answered by the application's own
     *                      code, or refused with its {@link Refusal}
     * @param eventType     as {@link Settlement#settled(int, String, String)}
     * @param handlingNanos how long the application's handling took; {@code -1} when it did not run
     * @param failure       what the application's handling threw, when it did (its messages may quote payload values)
     */
    record Settled(SignatureScheme scheme, int status, Outcome.Result result, String eventType, long handlingNanos,
                   java.util.Optional<Throwable> failure) {

        /** The result's code: {@code handled}, {@code duplicate}, {@code stored}, {@code abandoned}, {@code downstream_404}, a refusal's code. */
        public String code() {
            return result.code();
        }
    }
}
