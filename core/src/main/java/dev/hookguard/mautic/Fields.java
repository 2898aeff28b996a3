package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Mautic's custom fields: {@code fields.<group>.<alias>.value}, groups such as core, social, personal. */
final class Fields {

    private Fields() {
    }

    static Optional<String> value(JsonNode entity, String alias) {
        JsonNode fields = entity.get("fields");
        if (fields == null || !fields.isObject()) {
            return Optional.empty();
        }
        // "all" is a flat alias -> value map in API payloads; grouped fields are what webhooks send.
        JsonNode all = fields.get("all");
        if (all != null && all.isObject() && all.has(alias)) {
            return text(all.get(alias));
        }
        for (Iterator<JsonNode> groups = fields.elements(); groups.hasNext(); ) {
            JsonNode group = groups.next();
            JsonNode field = group.isObject() ? group.get(alias) : null;
            if (field != null && field.isObject()) {
                return text(field.get("value"));
            }
        }
        return Optional.empty();
    }

    static Map<String, String> all(JsonNode entity) {
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode fields = entity.get("fields");
        if (fields != null && fields.isObject()) {
            fields.properties().forEach(group -> {
                if (group.getValue().isObject() && !"all".equals(group.getKey())) {
                    group.getValue().properties().forEach(f -> {
                        if (f.getValue().isObject()) {
                            text(f.getValue().get("value")).ifPresent(v -> values.putIfAbsent(f.getKey(), v));
                        }
                    });
                }
            });
        }
        return Collections.unmodifiableMap(values);
    }

    private static Optional<String> text(JsonNode value) {
        if (value == null || value.isNull() || !value.isValueNode()) {
            return Optional.empty();
        }
        String text = value.asText();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
