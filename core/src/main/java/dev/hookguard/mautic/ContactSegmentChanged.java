package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact was added to or removed from a segment (Mautic 5 and later). Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact
 * @param segment the segment
 * @param action {@code added} or {@code removed}
 */
public record ContactSegmentChanged(EventMeta meta, Optional<Contact> contact, Optional<Segment> segment, Optional<String> action) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_list_change";
}
