package dev.hookguard.sender;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One event waiting in the reference sender's queue, as a row of Mautic's {@code webhook_queue}.
 *
 * @param type     the wire name, e.g. {@code mautic.form_on_submit}
 * @param payload  the event's payload keys (without {@code timestamp}, which the sender appends last)
 * @param queuedAt when it was queued; sent as {@code timestamp} in PHP's {@code DateTime::format('c')}
 */
public record OutgoingEvent(String type, ObjectNode payload, OffsetDateTime queuedAt) {

    public OutgoingEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(queuedAt, "queuedAt");
    }
}
