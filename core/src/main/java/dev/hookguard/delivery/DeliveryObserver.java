package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;

/**
 * Watches each delivery from the moment its request arrives until it settles, for tracing and timing (the
 * Spring Boot starter bridges it to Micrometer's Observation API). Unlike a {@link DeliveryListener}, which is
 * told only the end, an observer can start a span or a timer before anything of the body is read.
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
    }
}
