package dev.hookguard.delivery.spi;

import java.time.Duration;

/**
 * Where an endpoint in inbox mode keeps verified deliveries before it answers (the inbox SPI): the endpoint answers
 * 2xx only once {@link #store} has returned; the inbox handles what was stored later, in its workers, through the
 * endpoint's {@link StoredHandler}, never through the endpoint itself. {@code hookguard-inbox} provides one on JDBC.
 *
 * <p>Adapters start and stop what handles the stored deliveries with the application ({@link #start},
 * {@link #stop}), so that an application never has to.
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

    /**
     * Starts handling what is stored for these senders, in the background, with their handlers. Adapters call it
     * (through {@link Adapters#startInbox}) once their server is up; calls add up. Does nothing by default, for an
     * inbox whose owner handles it by other means.
     */
    default void start(StoredHandler... handlers) {
    }

    /**
     * Stops handling: nothing new is taken, and what runs finishes within {@code deadline} or is given back to be
     * handled later. Adapters call it when their server stops. Does nothing by default.
     */
    default void stop(Duration deadline) {
    }
}
