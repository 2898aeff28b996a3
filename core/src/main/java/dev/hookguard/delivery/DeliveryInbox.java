package dev.hookguard.delivery;

/**
 * Where an endpoint in inbox mode keeps verified deliveries before it answers: the endpoint answers 2xx only once
 * {@link #store} has returned, and handles what was stored later, in the inbox's workers, through the same
 * handlers ({@link WebhookEndpoint#handleStored}). {@code hookguard-inbox} provides one on JDBC.
 */
@FunctionalInterface
public interface DeliveryInbox {

    /**
     * Stores the parts of a verified delivery that are not stored yet, all in one transaction, and returns only
     * once they are durable.
     *
     * @return how many parts were new (0: every part was stored before, a duplicate)
     * @throws Exception when the delivery could not be stored; the endpoint then answers 503 and acknowledges nothing
     */
    int store(InboxDelivery delivery) throws Exception;
}
