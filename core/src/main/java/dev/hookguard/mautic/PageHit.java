package dev.hookguard.mautic;

/**
 * A landing page or tracked page was hit. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param hit the hit
 */
public record PageHit(EventMeta meta, Hit hit) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.page_on_hit";
}
