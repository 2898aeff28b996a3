package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The events of one Mautic delivery, in the order they appear in the body: one in immediate mode, up to
 * {@code webhook_limit} (10) of mixed types in queue mode, oldest or newest first as the webhook is set.
 *
 * @param events        every event, in body order
 * @param testTimestamp the top-level {@code timestamp} of a "Send Test Payload" body; empty for a real
 *                      delivery
 * @param raw           the whole body as parsed
 */
public record MauticBatch(List<MauticEvent> events, Optional<OffsetDateTime> testTimestamp, @JsonIgnore RawJson raw) {

    public MauticBatch {
        events = List.copyOf(events);
        Objects.requireNonNull(testTimestamp, "testTimestamp");
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * True for a body sent by Mautic's "Send Test Payload" button, built from its sample files. Not serialised:
     * {@code testTimestamp} says it.
     */
    @JsonIgnore
    public boolean isTestPayload() {
        return testTimestamp.isPresent();
    }

    /** The events of one type, in body order: {@code batch.eventsOf(FormSubmitted.class)}. */
    public <T extends MauticEvent> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The first event of one type, if any. */
    public <T extends MauticEvent> Optional<T> first(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** How many events the body carries. */
    public int size() {
        return events.size();
    }
}
