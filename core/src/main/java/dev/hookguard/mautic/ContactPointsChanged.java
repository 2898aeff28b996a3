package dev.hookguard.mautic;

/**
 * A contact's points changed. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact
 * @param points old and new points; {@code null} when not sent (Mautic's own sample lacks it)
 */
public record ContactPointsChanged(EventMeta meta, Contact contact, PointsChange points) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_points_change";
}
