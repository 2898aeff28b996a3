package dev.hookguard.pms;

import com.fasterxml.jackson.databind.JsonNode;

/** A JSON value as a person reads it. */
final class PmsText {

    private PmsText() {
    }

    static String of(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }
}
