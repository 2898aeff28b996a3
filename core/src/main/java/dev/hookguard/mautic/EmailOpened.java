package dev.hookguard.mautic;

/**
 * An email was opened. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param stat the send that was opened
 */
public record EmailOpened(EventMeta meta, EmailStat stat) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.email_on_open";
}
