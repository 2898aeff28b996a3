package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A company was deleted. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param id the deleted company's id
 * @param company the company as it was; its own id is empty
 */
public record CompanyDeleted(EventMeta meta, Optional<Long> id, Optional<Company> company) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.company_post_delete";
}
