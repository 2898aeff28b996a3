package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact was deleted. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param id the deleted contact's id
 * @param contact the contact as it was; its own id is empty
 */
public record ContactDeleted(EventMeta meta, Optional<Long> id, Optional<Contact> contact) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_post_delete";
}
