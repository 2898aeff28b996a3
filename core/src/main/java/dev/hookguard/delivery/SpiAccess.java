package dev.hookguard.delivery;

import dev.hookguard.delivery.spi.Exchange;
import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.delivery.internal.DeliveryAccess;
import java.time.Duration;
import java.util.Optional;

/** The SPI's view of the endpoint: {@code dev.hookguard.delivery.spi.Adapters} goes through it. */
final class SpiAccess implements DeliveryAccess {

    @Override
    public void exchange(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        ExchangeRule.exchange(endpoint, exchange);
    }

    @Override
    public void carryOn(WebhookEndpoint<?> endpoint, Accepted<?> accepted, Exchange exchange) throws Exception {
        ExchangeRule.carryOn(endpoint, accepted, exchange);
    }

    @Override
    public Optional<Accepted<?>> open(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        return ExchangeRule.open(endpoint, exchange);
    }

    @Override
    public BodyIntake<?> intake(WebhookEndpoint<?> endpoint, IncomingRequest request) {
        return endpoint.intake(request);
    }

    @Override
    public Duration bodyReadTimeout(WebhookEndpoint<?> endpoint) {
        return endpoint.bodyReadTimeout();
    }

    @Override
    public void startInbox(WebhookEndpoint<?> endpoint) {
        if (endpoint.inbox() != null) {
            endpoint.inbox().start(endpoint.storedHandler());
        }
    }

    @Override
    public void stopInbox(WebhookEndpoint<?> endpoint, Duration deadline) {
        if (endpoint.inbox() != null) {
            endpoint.inbox().stop(deadline);
        }
    }

    @Override
    public StoredHandler storedHandler(WebhookEndpoint<?> endpoint) {
        return endpoint.storedHandler();
    }
}
