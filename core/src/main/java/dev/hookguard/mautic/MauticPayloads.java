package dev.hookguard.mautic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.hookguard.internal.IsoDateTimes;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.PayloadParseException;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        Json.requireUtf8Json(body);
        try (JsonParser parser = Json.parser(body)) {
            JsonToken first = Json.firstToken(parser);
            Node root = Json.readValue(parser, first, body);
            Json.requireEnd(parser);
            if (!root.isObject()) {
                throw new PayloadParseException("", "a Mautic payload is a JSON object of event types");
            }
            return batch(root);
        } catch (JsonProcessingException e) {
            throw Json.malformed(e);
        } catch (IOException e) {
            throw new PayloadParseException("", "the body could not be read as JSON");
        }
    }

    private static MauticBatch batch(Node root) {
        Node top = root.get(TIMESTAMP);
        String testTimestampText = top != null && top.isTextual() ? top.textValue() : null;
        OffsetDateTime testTimestamp = testTimestampText == null ? null : timestamp(testTimestampText, Pointer.ROOT.child(TIMESTAMP));
        List<MauticEvent> events = new ArrayList<>();
        boolean sawObjectEntry = false;
        for (Map.Entry<String, Node> entry : root.properties()) {
            String type = entry.getKey();
            Node value = entry.getValue();
            if (value == top && testTimestampText != null) {
                continue;
            }
            if (value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    Node element = value.get(i);
                    if (!element.isObject() && !element.isArray()) {
                        throw new PayloadParseException(Pointer.ROOT.child(type).child(i).toString(), "expected an event object");
                    }
                    Pointer pointer = Pointer.ROOT.child(type).child(i);
                    events.add(event(type, Json.asObject(element, pointer), pointer, testTimestamp, testTimestampText));
                }
            } else if (value.isObject()) {
                // "Send Test Payload" maps some types to a single object instead of an array.
                sawObjectEntry = true;
                events.add(event(type, value, Pointer.ROOT.child(type), testTimestamp, testTimestampText));
            } else {
                throw new PayloadParseException(Pointer.ROOT.child(type).toString(), "expected an array of event objects");
            }
        }
        if (sawObjectEntry && testTimestampText == null) {
            throw new PayloadParseException("", "an event type maps to an object, but the body has no top-level timestamp of a test payload");
        }
        return new MauticBatch(events, Optional.ofNullable(testTimestamp), root.raw());
    }

    private static MauticEvent event(String type, Node node, Pointer at, OffsetDateTime testTimestamp, String testTimestampText) {
        Node ts = node.get(TIMESTAMP);
        OffsetDateTime timestamp = ts == null || ts.isNull() ? testTimestamp : eventTimestamp(ts, at.child(TIMESTAMP));
        EventMeta meta = new EventMeta(type, timestamp, node, testTimestampText);
        return EventFactory.build(meta, node, at);
    }

    private static OffsetDateTime eventTimestamp(Node node, Pointer at) {
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
