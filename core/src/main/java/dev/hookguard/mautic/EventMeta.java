package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.hookguard.internal.Node;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * What every Mautic event carries besides its typed fields: its type, its timestamp, its idempotency key and its
 * raw JSON. Immutable; the idempotency key is computed when first asked for (a hash of the event's bytes costs
 * as much as parsing them).
 */
@JsonPropertyOrder({"type", "timestamp", "idempotencyKey"})
public final class EventMeta {

    private final String type;
    private final OffsetDateTime timestamp;
    /** Kept for the idempotency key, computed when first asked for; dropped then. */
    private Node event;
    private final RawJson raw;
    private final String testTimestamp;
    private volatile String idempotencyKey;

    EventMeta(String type, OffsetDateTime timestamp, Node event, String testTimestamp) {
        this.type = type;
        this.timestamp = timestamp;
        this.event = event;
        this.raw = event.raw();
        this.testTimestamp = testTimestamp;
    }

    /** The wire name, e.g. {@code mautic.form_on_submit}. */
    @JsonProperty
    public String type() {
        return type;
    }

    /**
     * When Mautic queued the event, offset kept; for a "Send Test Payload" object without its own timestamp, the
     * body's top-level one; empty only when neither exists.
     */
    @JsonProperty
    public Optional<OffsetDateTime> timestamp() {
        return Optional.ofNullable(timestamp);
    }

    /**
     * The key this event is handled once under: a natural id (submission, stat, {@code idHash}, hit, deleted id),
     * else a SHA-256 of the type and the event's exact bytes.
     */
    @JsonProperty
    public String idempotencyKey() {
        String key = idempotencyKey;
        if (key == null) {
            synchronized (this) {
                key = idempotencyKey;
                if (key == null) {
                    key = IdempotencyKeys.of(type, event, testTimestamp);
                    idempotencyKey = key;
                    event = null;
                }
            }
        }
        return key;
    }

    /** The event object as sent, {@code timestamp} included. */
    public RawJson raw() {
        return raw;
    }

    @Override
    public String toString() {
        return "EventMeta[" + type + " at " + timestamp + "]";
    }
}
