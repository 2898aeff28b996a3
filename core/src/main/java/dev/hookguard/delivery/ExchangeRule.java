package dev.hookguard.delivery;

import dev.hookguard.delivery.spi.Exchange;
import java.util.Optional;

/**
 * The one rule every adapter's exchange goes through (see {@code Adapters#exchange}): admit; write what is not for the
 * application; hand an accepted delivery to the endpoint's handlers or to the application; settle. Settling is
 * guaranteed here, in one place: an adapter cannot leave a key in flight by forgetting to.
 */
final class ExchangeRule {

    private ExchangeRule() {
    }

    static void exchange(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        Optional<Accepted<?>> accepted = open(endpoint, exchange);
        if (accepted.isPresent()) {
            carryOn(endpoint, accepted.get(), exchange);
        }
    }

    /**
     * Admits, and answers whatever is not for the application: a refusal, a duplicate, a stored delivery, or an
     * accepted one that the endpoint's own handlers take. Returns the accepted delivery only when the application is
     * to handle it.
     */
    static Optional<Accepted<?>> open(WebhookEndpoint<?> endpoint, Exchange exchange) throws Exception {
        Admission<?> admission = endpoint.admit(exchange.request());
        if (!(admission instanceof Accepted<?> accepted)) {
            exchange.write(admission.outcome().orElseThrow());
            return Optional.empty();
        }
        if (endpoint.hasHandlers()) {
            carryOn(endpoint, accepted, exchange);
            return Optional.empty();
        }
        return Optional.of(accepted);
    }

    /**
     * Handles and settles: with the endpoint's handlers, their outcome is written; without, the application answers
     * and its status settles (2xx done, else released; nothing took it: 404 {@code not_handled}; it threw: 500).
     */
    static void carryOn(WebhookEndpoint<?> endpoint, Accepted<?> accepted, Exchange exchange) throws Exception {
        if (accepted.endpoint() != endpoint) {
            throw new IllegalArgumentException("this admission comes from another endpoint");
        }
        try {
            if (endpoint.hasHandlers()) {
                exchange.write(endpoint.handle(accepted));
                return;
            }
            int status;
            try {
                status = exchange.proceed(accepted);
            } catch (Exception | Error e) {
                Outcome failed = accepted.failed(e);
                if (exchange.isCommitted()) {
                    throw e;
                }
                exchange.write(failed);
                Failures.rethrowIfFatal(e);
                return;
            }
            if (status == Exchange.NOT_HANDLED) {
                exchange.write(accepted.notHandled());
            } else {
                accepted.complete(status);
            }
        } finally {
            if (!accepted.isSettled()) {
                // Settling itself failed on the way (a handler's failure could not be logged, say): released, so that
                // the sender's retry is handled rather than met with a key in flight.
                accepted.complete(500);
            }
        }
    }
}
