package dev.hookguard.delivery.spi;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.Outcome;

/**
 * One request and its response, as an adapter's runtime holds them: the port the exchange rule
 * ({@link Adapters#exchange}) runs against. An adapter implements these four and nothing else decides: what to answer,
 * when a verified delivery goes on, and how it settles are the rule's.
 */
public interface Exchange {

    /** What {@link #proceed} returns when nothing in the application took the delivery (no route, servlet, listener). */
    int NOT_HANDLED = -1;

    /** The request, read through the adapter. */
    IncomingRequest request();

    /** Writes the outcome as the response: status, headers, body. */
    void write(Outcome outcome) throws Exception;

    /**
     * Hands the verified delivery on to the application (the servlet chain, a route) and returns the status it
     * answered, or {@link #NOT_HANDLED}. Called only when the endpoint has no handlers of its own.
     *
     * @throws Exception what the application threw; the delivery then fails (500, released)
     */
    int proceed(Accepted<?> accepted) throws Exception;

    /** Whether the response was committed already, so that a failure can no longer be answered. */
    boolean isCommitted();
}
