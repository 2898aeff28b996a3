package dev.hookguard.pms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookguard.payload.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/** A submitted JSON value as a person reads it: Hookguard hands it over as sent, the application's Jackson reads it. */
final class PmsText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PmsText() {
    }

    /** Text as is, numbers and booleans as written, a list joined by commas, an object as JSON; empty for null. */
    static String of(RawJson raw) {
        if (raw == null || raw.isNull()) {
            return "";
        }
        JsonNode value = read(raw);
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false).map(PmsText::of).collect(Collectors.joining(", "));
        }
        return of(value);
    }

    private static String of(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static JsonNode read(RawJson raw) {
        try {
            return JSON.readTree(raw.openStream());
        } catch (IOException e) {
            throw new UncheckedIOException("raw JSON that Hookguard parsed could not be read again", e);
        }
    }
}
