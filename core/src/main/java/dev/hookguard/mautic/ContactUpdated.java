package dev.hookguard.mautic;

import java.util.Optional;

/**
 * An identified contact was changed. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact after the change
 */
public record ContactUpdated(EventMeta meta, Optional<Contact> contact) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_post_save_update";
}
