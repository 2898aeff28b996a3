package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact was saved and became identified (Mautic's "Contact Identified" event). Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact
 */
public record ContactIdentified(EventMeta meta, Optional<Contact> contact) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_post_save_new";
}
