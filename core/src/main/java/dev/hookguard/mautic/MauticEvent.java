package dev.hookguard.mautic;

import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * One Mautic webhook event: one record per event type Mautic 5 sends, and {@link UnknownEvent} for the rest.
 * Switch over it, or ask a {@link MauticBatch} for the events of one type.
 */
public sealed interface MauticEvent permits
        ContactIdentified,
        ContactUpdated,
        ContactPointsChanged,
        ContactDeleted,
        ContactChannelSubscriptionChanged,
        ContactCompanyChanged,
        CompanySaved,
        CompanyDeleted,
        ContactSegmentChanged,
        EmailSent,
        EmailOpened,
        FormSubmitted,
        PageHit,
        TextMessageSent,
        UnknownEvent {

    /** Type, timestamp, idempotency key and raw JSON of this event. */
    EventMeta meta();

    /** The wire name of the event type, e.g. {@code mautic.form_on_submit}. */
    default String type() {
        return meta().type();
    }

    /** When Mautic queued the event, offset kept (second precision). */
    default Optional<OffsetDateTime> timestamp() {
        return meta().timestamp();
    }

    /** The key this event is handled once under. */
    default String idempotencyKey() {
        return meta().idempotencyKey();
    }

    /** The event object as sent. */
    default RawJson raw() {
        return meta().raw();
    }
}
