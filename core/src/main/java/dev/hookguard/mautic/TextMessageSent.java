package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A text message was sent. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param smsId the message's id
 * @param contact the recipient
 * @param content the text sent
 */
public record TextMessageSent(EventMeta meta, Optional<Long> smsId, Optional<Contact> contact, Optional<String> content) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.sms_on_send";
}
