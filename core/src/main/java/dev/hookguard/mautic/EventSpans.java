package dev.hookguard.mautic;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hookguard.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each event's bytes are in a batch body, found by one streaming pass over the body the first time a
 * fallback idempotency key needs them (parsing itself does not).
 */
final class EventSpans {

    private final byte[] body;
    private volatile Map<String, List<int[]>> spans;

    EventSpans(byte[] body) {
        this.body = body;
    }

    /** The body. */
    byte[] body() {
        return body;
    }

    /** {start, end} of element {@code index} of {@code type} ({@code -1} for a single-object entry). */
    int[] of(String type, int index) {
        Map<String, List<int[]>> all = spans;
        if (all == null) {
            all = scan();
            spans = all;
        }
        List<int[]> list = all.get(type);
        return list.get(index < 0 ? 0 : index);
    }

    private Map<String, List<int[]>> scan() {
        Map<String, List<int[]>> all = new HashMap<>();
        try (JsonParser parser = Json.parser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String type = parser.currentName();
                JsonToken token = parser.nextToken();
                List<int[]> list = new ArrayList<>();
                if (token == JsonToken.START_ARRAY) {
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        list.add(span(parser));
                    }
                } else {
                    list.add(span(parser));
                }
                // As in the parsed tree, the last of duplicated keys wins.
                all.put(type, list);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the body was parsed once already; it cannot fail now", e);
        }
        return all;
    }

    private static int[] span(JsonParser parser) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        return new int[] {start, (int) parser.currentLocation().getByteOffset()};
    }
}
