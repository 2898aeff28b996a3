package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A company was created or updated. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param company the company
 */
public record CompanySaved(EventMeta meta, Optional<Company> company) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.company_post_save";
}
