package dev.hookguard.delivery;

/**
 * The application's code for a verified, parsed, first-time delivery. Returning normally answers 2xx and marks
 * the delivery done; throwing answers 500 (with no exception text) and releases it, so a retry is handled.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
@FunctionalInterface
public interface WebhookHandler<T> {

    void handle(T payload) throws Exception;
}
