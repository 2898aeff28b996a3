package dev.hookguard.delivery.internal;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.BodyIntake;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.Exchange;
import dev.hookguard.delivery.spi.StoredHandler;
import java.time.Duration;
import java.util.Optional;

/**
 * The endpoint's hooks for the SPI package, which lives in another package and must not widen the endpoint's API:
 * {@code WebhookEndpoint} installs the one implementation when its class is initialised (the JDK's shared-secrets
 * pattern). Not exported.
 */
public interface DeliveryAccess {

    void exchange(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception;

    void carryOn(WebhookEndpoint<?> endpoint, Accepted<?> accepted, Exchange exchange) throws Exception;

    Optional<Accepted<?>> open(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception;

    BodyIntake<?> intake(WebhookEndpoint<?> endpoint, IncomingRequest request);

    Duration bodyReadTimeout(WebhookEndpoint<?> endpoint);

    void startInbox(WebhookEndpoint<?> endpoint);

    void stopInbox(WebhookEndpoint<?> endpoint, Duration deadline);

    StoredHandler storedHandler(WebhookEndpoint<?> endpoint);

    /** The implementation; initialising {@code WebhookEndpoint} installs it. */
    static DeliveryAccess get() {
        // Every SPI call passes an endpoint, so WebhookEndpoint is initialised, and the bridge installed, by then.
        return Holder.access;
    }

    /** Called once, by {@code WebhookEndpoint}'s static initialiser. */
    static void install(DeliveryAccess access) {
        // On the class path this package is not sealed off: only the endpoint's own bridge is taken, and only once.
        if (Holder.access != null || !access.getClass().getName().equals("dev.hookguard.delivery.SpiAccess")) {
            throw new IllegalStateException("the delivery SPI bridge is the endpoint's own");
        }
        Holder.access = access;
    }

    /** Where the one implementation is kept. */
    final class Holder {
        private static volatile DeliveryAccess access;

        private Holder() {
        }
    }
}
