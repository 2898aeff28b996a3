package dev.hookguard.pms;

import dev.hookguard.payload.RawJson;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A submitted JSON value as a person reads it: Hookguard hands it over as sent, the application's Jackson 3 reads it. */
final class PmsText {

    private PmsText() {
    }

    /** Text as is, numbers and booleans as written, a list joined by commas, an object as JSON; empty for null. */
    static String of(RawJson raw) {
        if (raw == null || raw.isNull()) {
            return "";
        }
        JsonNode value = JsonMapper.shared().readTree(raw.openStream());
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false).map(PmsText::of).collect(Collectors.joining(", "));
        }
        return of(value);
    }

    private static String of(JsonNode value) {
        return value.isValueNode() ? value.asString() : value.toString();
    }
}
