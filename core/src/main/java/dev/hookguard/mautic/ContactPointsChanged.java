package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact's points changed. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact
 * @param points old and new points; empty when not sent (Mautic's own sample lacks it)
 */
public record ContactPointsChanged(EventMeta meta, Optional<Contact> contact, Optional<PointsChange> points) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_points_change";
}
