package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * What every Mautic event carries besides its typed fields: its type, its timestamp, its idempotency key and its
 * raw JSON. Immutable; the idempotency key is computed when first asked for (a hash of the event's bytes costs
 * as much as parsing them).
 */
public final class EventMeta {

    private final String type;
    private final OffsetDateTime timestamp;
    private final JsonNode raw;
    private final byte[] body;
    private final int start;
    private final int end;
    private final String testTimestamp;
    private volatile String idempotencyKey;

    EventMeta(String type, OffsetDateTime timestamp, JsonNode raw, byte[] body, int start, int end, String testTimestamp) {
        this.type = type;
        this.timestamp = timestamp;
        this.raw = raw;
        this.body = body;
        this.start = start;
        this.end = end;
        this.testTimestamp = testTimestamp;
    }

    /** The wire name, e.g. {@code mautic.form_on_submit}. */
    public String type() {
        return type;
    }

    /**
     * When Mautic queued the event, offset kept; for a "Send Test Payload" object without its own timestamp, the
     * body's top-level one; {@code null} only when neither exists.
     */
    public OffsetDateTime timestamp() {
        return timestamp;
    }

    /**
     * The key this event is handled once under: a natural id (submission, stat, {@code idHash}, hit, deleted id),
     * else a SHA-256 of the type and the event's exact bytes.
     */
    public String idempotencyKey() {
        String key = idempotencyKey;
        if (key == null) {
            key = IdempotencyKeys.of(type, raw, body, start, end, testTimestamp);
            idempotencyKey = key;
        }
        return key;
    }

    /** The event object as sent, {@code timestamp} included. */
    public JsonNode raw() {
        return raw;
    }

    @Override
    public String toString() {
        return "EventMeta[" + type + " at " + timestamp + "]";
    }
}
