package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * What every Mautic event carries besides its typed fields.
 *
 * @param type           the wire name, e.g. {@code mautic.form_on_submit}
 * @param timestamp      when Mautic queued it, offset kept; for a Send Test Payload object without its own
 *                       timestamp, the body's top-level one; {@code null} only when neither exists
 * @param idempotencyKey the key this event is handled once under (a natural id, else a SHA-256 of the type
 *                       and the event's raw bytes)
 * @param raw            the event object as sent, {@code timestamp} included
 */
public record EventMeta(String type, OffsetDateTime timestamp, String idempotencyKey, JsonNode raw) {
}
