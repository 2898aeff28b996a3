package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact was added to or removed from a company. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param added true when added, false when removed
 * @param contact the contact
 * @param company the company
 */
public record ContactCompanyChanged(EventMeta meta, Optional<Boolean> added, Optional<Contact> contact, Optional<Company> company) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_company_change";
}
