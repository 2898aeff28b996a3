package dev.hookguard.mautic;

import java.util.Optional;

/**
 * A contact's do-not-contact status on a channel changed. Wire name {@value #TYPE}.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 * @param contact the contact
 * @param channel the channel, e.g. {@code email}
 * @param oldStatus {@code contactable}, {@code bounced}, {@code manual} or {@code unsubscribed}
 * @param newStatus the status now
 */
public record ContactChannelSubscriptionChanged(EventMeta meta, Optional<Contact> contact, Optional<String> channel, Optional<String> oldStatus, Optional<String> newStatus) implements MauticEvent {

    /** The event type key on the wire. */
    public static final String TYPE = "mautic.lead_channel_subscription_changed";
}
