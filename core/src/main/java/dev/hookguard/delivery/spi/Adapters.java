package dev.hookguard.delivery.spi;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.BodyIntake;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.internal.DeliveryAccess;
import java.time.Duration;
import java.util.Optional;

/**
 * What a runtime adapter (a servlet filter, a Javalin plugin, a Spring starter) needs of an endpoint beyond its API:
 * the exchange rule, the non-blocking body intake, and the inbox's lifecycle. Applications use {@link WebhookEndpoint}
 * and never need this.
 */
public final class Adapters {

    private Adapters() {
    }

    /**
     * The exchange rule, the one place every adapter's request goes through: admit the request; write a refusal, a
     * duplicate's 200 or a stored delivery's 202; else run the endpoint's handlers and write their outcome, or, without
     * handlers, {@link Exchange#proceed} to the application and settle from its status (2xx done, anything else
     * released; {@link Exchange#NOT_HANDLED} answered 404 {@code not_handled}; a throw answered 500). Whatever happens,
     * the delivery is settled before this returns: no key stays in flight.
     *
     * @throws IllegalArgumentException from {@link #carryOn} when the admission comes from another endpoint, which
     *                                  alone may settle it
     */
    public static void exchange(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        DeliveryAccess.get().exchange(endpoint, exchange);
    }

    /** The rule for a delivery admitted already (read without blocking, then dispatched): from handling on. */
    public static void carryOn(WebhookEndpoint<?> endpoint, Accepted<?> accepted, Exchange exchange) throws Exception {
        DeliveryAccess.get().carryOn(endpoint, accepted, exchange);
    }

    /**
     * The first half of the rule, for routers that run the application between two hooks (Javalin's before and after
     * handlers) instead of calling it: admits, and answers what is not for the application (a refusal, a duplicate, a
     * stored delivery, or what the endpoint's own handlers take); returns the accepted delivery for the application's
     * route, whose status {@link Accepted#complete(int)} then settles in the second hook. The one place where the rule
     * differs between adapters: the second hook must run, as Javalin's after handlers do, whatever the route did.
     */
    public static Optional<Accepted<?>> open(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        return DeliveryAccess.get().open(endpoint, exchange);
    }

    /**
     * Starts a delivery whose body the adapter feeds in as it arrives, without a thread waiting on the peer: the same
     * checks as {@link WebhookEndpoint#admit(IncomingRequest)}. {@link BodyIntake#refusal()} is already set when the
     * request is refused before its body.
     */
    public static BodyIntake<?> intake(WebhookEndpoint<?> endpoint, IncomingRequest request) {
        return DeliveryAccess.get().intake(endpoint, request);
    }

    /** How long reading one body may take; adapters that feed a {@link BodyIntake} expire it after this. */
    public static Duration bodyReadTimeout(WebhookEndpoint<?> endpoint) {
        return DeliveryAccess.get().bodyReadTimeout(endpoint);
    }

    /** Inbox mode: starts the inbox's handling of this endpoint's stored deliveries, once the server is up; nothing in direct mode. */
    public static void startInbox(WebhookEndpoint<?> endpoint) {
        DeliveryAccess.get().startInbox(endpoint);
    }

    /** Inbox mode: stops the inbox's handling within {@code deadline}; nothing in direct mode. */
    public static void stopInbox(WebhookEndpoint<?> endpoint, Duration deadline) {
        DeliveryAccess.get().stopInbox(endpoint, deadline);
    }

    /** The endpoint's handlers as an inbox's workers take them. */
    public static StoredHandler storedHandler(WebhookEndpoint<?> endpoint) {
        return DeliveryAccess.get().storedHandler(endpoint);
    }
}
