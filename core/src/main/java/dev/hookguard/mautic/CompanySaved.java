package dev.hookguard.mautic;

/**
 * A company was created or updated. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param company the company
 */
public record CompanySaved(EventMeta meta, Company company) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.company_post_save";
}
