package dev.hookguard.mautic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.internal.IsoDateTimes;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.PayloadParseException;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
        Json.requireUtf8Json(body);
        ObjectNode root = Json.objectNode();
        Map<String, long[]> spans = new HashMap<>();
        try (JsonParser parser = Json.parser(body)) {
            JsonToken first = Json.firstToken(parser);
            if (first != JsonToken.START_OBJECT) {
                Json.readValue(parser, first);
                Json.requireEnd(parser);
                throw new PayloadParseException("", "a Mautic payload is a JSON object of event types");
            }
            for (String type = parser.nextFieldName(); type != null; type = parser.nextFieldName()) {
                readEntry(parser, type, root, spans);
            }
            Json.requireEnd(parser);
        } catch (JsonProcessingException e) {
            throw Json.malformed(e);
        } catch (IOException e) {
            throw new PayloadParseException("", "the body could not be read as JSON");
        }
        return batch(body, root, spans);
    }

    /**
     * Reads one event type's entry into the tree and notes where each of its events is in the body, so that a key
     * hashed from an event's bytes needs no second pass. As in the tree, the last of duplicated types wins.
     */
    private static void readEntry(JsonParser parser, String type, ObjectNode root, Map<String, long[]> spans) throws IOException {
        JsonToken token = parser.nextToken();
        if (token != JsonToken.START_ARRAY) {
            long start = parser.currentTokenLocation().getByteOffset();
            root.replace(type, Json.readValue(parser, token));
            spans.put(type, new long[] {span(start, parser)});
            return;
        }
        ArrayNode events = JsonNodeFactory.instance.arrayNode();
        long[] found = new long[8];
        int count = 0;
        for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
            if (element == null) {
                throw new PayloadParseException("", "the body is not well-formed JSON: it ends inside an array");
            }
            long start = parser.currentTokenLocation().getByteOffset();
            events.add(Json.readValue(parser, element));
            if (count == found.length) {
                found = Arrays.copyOf(found, count * 2);
            }
            found[count++] = span(start, parser);
        }
        root.replace(type, events);
        spans.put(type, Arrays.copyOf(found, count));
    }

    /** Start and end offset of the value just read, in one long. */
    private static long span(long start, JsonParser parser) {
        return start << 32 | parser.currentLocation().getByteOffset();
    }

    private static MauticBatch batch(byte[] body, ObjectNode root, Map<String, long[]> spans) {
        JsonNode top = root.get(TIMESTAMP);
        String testTimestampText = top != null && top.isTextual() ? top.textValue() : null;
        OffsetDateTime testTimestamp = testTimestampText == null ? null : timestamp(testTimestampText, Pointer.ROOT.child(TIMESTAMP));
        List<MauticEvent> events = new ArrayList<>();
        boolean sawObjectEntry = false;
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String type = entry.getKey();
            JsonNode value = entry.getValue();
            if (value == top && testTimestampText != null) {
                continue;
            }
            long[] at = spans.get(type);
            if (value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    JsonNode element = value.get(i);
                    if (!element.isObject() && !element.isArray()) {
                        throw new PayloadParseException(Pointer.ROOT.child(type).child(i).toString(), "expected an event object");
                    }
                    Pointer pointer = Pointer.ROOT.child(type).child(i);
                    events.add(event(type, Json.asObject(element, pointer), pointer, body, at[i], testTimestamp, testTimestampText));
                }
            } else if (value.isObject()) {
                // "Send Test Payload" maps some types to a single object instead of an array.
                sawObjectEntry = true;
                events.add(event(type, value, Pointer.ROOT.child(type), body, at[0], testTimestamp, testTimestampText));
            } else {
                throw new PayloadParseException(Pointer.ROOT.child(type).toString(), "expected an array of event objects");
            }
        }
        if (sawObjectEntry && testTimestampText == null) {
            throw new PayloadParseException("", "an event type maps to an object, but the body has no top-level timestamp of a test payload");
        }
        return new MauticBatch(events, testTimestamp, root);
    }

    private static MauticEvent event(String type, JsonNode node, Pointer at, byte[] body, long span,
                                     OffsetDateTime testTimestamp, String testTimestampText) {
        JsonNode ts = node.get(TIMESTAMP);
        OffsetDateTime timestamp = ts == null || ts.isNull() ? testTimestamp : eventTimestamp(ts, at.child(TIMESTAMP));
        EventMeta meta = new EventMeta(type, timestamp, node, body, (int) (span >>> 32), (int) span, testTimestampText);
        return EventFactory.build(meta, node, at);
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
