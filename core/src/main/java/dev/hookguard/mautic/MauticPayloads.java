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
import java.util.List;

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
            return read(parser, body);
        } catch (JsonProcessingException e) {
            throw Json.malformed(e);
        } catch (IOException e) {
            throw new PayloadParseException("", "the body could not be read as JSON");
        }
    }

    /** An event object and where its bytes are in the body, kept until the top-level timestamp is known. */
    private record Pending(String type, JsonNode node, Pointer at, int start, int end) {
    }

    private static MauticBatch read(JsonParser parser, byte[] body) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new PayloadParseException("", "a Mautic payload is a JSON object of event types");
        }
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        List<Pending> pending = new ArrayList<>();
        String testTimestampText = null;
        boolean sawObjectEntry = false;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String type = parser.currentName();
            Pointer at = Pointer.ROOT.child(type);
            token = parser.nextToken();
            if (TIMESTAMP.equals(type) && token == JsonToken.VALUE_STRING) {
                testTimestampText = parser.getText();
                root.put(type, testTimestampText);
            } else if (token == JsonToken.START_ARRAY) {
                ArrayNode array = root.putArray(type);
                int index = 0;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    Pointer elementAt = at.child(index++);
                    if (token != JsonToken.START_OBJECT && token != JsonToken.START_ARRAY) {
                        throw new PayloadParseException(elementAt.toString(), "expected an event object");
                    }
                    Pending event = event(parser, body, type, elementAt);
                    array.add(event.node());
                    pending.add(event);
                }
            } else if (token == JsonToken.START_OBJECT) {
                // "Send Test Payload" maps some types to a single object instead of an array.
                sawObjectEntry = true;
                Pending event = event(parser, body, type, at);
                root.set(type, event.node());
                pending.add(event);
            } else {
                throw new PayloadParseException(at.toString(), "expected an array of event objects");
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new PayloadParseException("", "the body is not well-formed JSON");
        }
        if (parser.nextToken() != null) {
            throw new PayloadParseException("", "unexpected content after the JSON object");
        }
        if (sawObjectEntry && testTimestampText == null) {
            throw new PayloadParseException("", "an event type maps to an object, but the body has no top-level timestamp of a test payload");
        }
        OffsetDateTime testTimestamp = testTimestampText == null ? null : timestamp(testTimestampText, Pointer.ROOT.child("timestamp"));
        List<MauticEvent> events = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            JsonNode ts = p.node().get(TIMESTAMP);
            OffsetDateTime timestamp = ts == null || ts.isNull() ? testTimestamp : eventTimestamp(ts, p.at().child(TIMESTAMP));
            EventMeta meta = new EventMeta(p.type(), timestamp, p.node(), body, p.start(), p.end(), testTimestampText);
            events.add(EventFactory.build(meta, p.node(), p.at()));
        }
        return new MauticBatch(events, testTimestamp, root);
    }

    private static Pending event(JsonParser parser, byte[] body, String type, Pointer at) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        JsonNode node = parser.readValueAsTree();
        int end = (int) parser.currentLocation().getByteOffset();
        // PHP's json_encode writes an empty object as [].
        return new Pending(type, Json.asObject(node, at), at, start, end);
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
