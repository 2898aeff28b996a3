package dev.hookguard.mautic;

/**
 * An event of a type this version of Hookguard does not know (a newer Mautic, a plugin). Nothing is lost:
 * {@link #type()} and {@link #raw()} hold what was sent.
 *
 * @param meta type, timestamp, idempotency key and raw JSON
 */
public record UnknownEvent(EventMeta meta) implements MauticEvent {
}
