package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.internal.IsoDateTimes;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.PayloadParseException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses Mautic webhook bodies (a map of event type to events) into a {@link MauticBatch}. Give it the bytes
 * that were verified; it never re-serialises them.
 *
 * <pre>{@code
 * MauticBatch batch = MauticPayloads.parse(rawBody);
 * for (FormSubmitted form : batch.eventsOf(FormSubmitted.class)) {
 *     form.submission().result("email").ifPresent(this::welcome);
 * }
 * }</pre>
 */
public final class MauticPayloads {

    private static final String TIMESTAMP = "timestamp";

    private MauticPayloads() {
    }

    /**
     * Accepts real deliveries (immediate and queue mode) and "Send Test Payload" bodies (a top-level
     * {@code timestamp}, objects in place of arrays).
     *
     * @throws PayloadParseException when the body is not a Mautic payload
     */
    public static MauticBatch parse(byte[] body) {
        JsonNode root = Json.readTree(body);
        if (!root.isObject()) {
            throw new PayloadParseException("", "a Mautic payload is a JSON object of event types");
        }
        JsonNode top = root.get(TIMESTAMP);
        String testTimestampText = top != null && top.isTextual() ? top.textValue() : null;
        OffsetDateTime testTimestamp = testTimestampText == null ? null : timestamp(testTimestampText, Pointer.ROOT.child(TIMESTAMP));
        EventSpans spans = new EventSpans(body);
        List<MauticEvent> events = new ArrayList<>();
        boolean sawObjectEntry = false;
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String type = entry.getKey();
            JsonNode value = entry.getValue();
            Pointer at = Pointer.ROOT.child(type);
            if (value == top && testTimestampText != null) {
                continue;
            }
            if (value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    JsonNode element = value.get(i);
                    if (!element.isObject() && !element.isArray()) {
                        throw new PayloadParseException(at.child(i).toString(), "expected an event object");
                    }
                    events.add(event(type, Json.asObject(element, at.child(i)), at.child(i), spans, i, testTimestamp, testTimestampText));
                }
            } else if (value.isObject()) {
                // "Send Test Payload" maps some types to a single object instead of an array.
                sawObjectEntry = true;
                events.add(event(type, value, at, spans, -1, testTimestamp, testTimestampText));
            } else {
                throw new PayloadParseException(at.toString(), "expected an array of event objects");
            }
        }
        if (sawObjectEntry && testTimestampText == null) {
            throw new PayloadParseException("", "an event type maps to an object, but the body has no top-level timestamp of a test payload");
        }
        return new MauticBatch(events, testTimestamp, root);
    }

    private static MauticEvent event(String type, JsonNode node, Pointer at, EventSpans spans, int index,
                                     OffsetDateTime testTimestamp, String testTimestampText) {
        JsonNode ts = node.get(TIMESTAMP);
        OffsetDateTime timestamp = ts == null || ts.isNull() ? testTimestamp : eventTimestamp(ts, at.child(TIMESTAMP));
        return EventFactory.build(new EventMeta(type, timestamp, node, spans, index, testTimestampText), node, at);
    }

    private static OffsetDateTime eventTimestamp(JsonNode node, Pointer at) {
        if (!node.isTextual()) {
            throw new PayloadParseException(at.toString(), "expected an ISO 8601 date-time with offset");
        }
        return timestamp(node.textValue(), at);
    }

    private static OffsetDateTime timestamp(String text, Pointer at) {
        try {
            return IsoDateTimes.parse(text);
        } catch (DateTimeParseException e) {
            throw new PayloadParseException(at.toString(), "expected an ISO 8601 date-time with offset");
        }
    }
}
