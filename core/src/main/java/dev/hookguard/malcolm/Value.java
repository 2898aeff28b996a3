package dev.hookguard.malcolm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.payload.RawJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A submitted Workflow Value. Malcolm! documents the value as "mixed", so it is kept as sent, with typed
 * accessors that do not guess: each answers empty when the value is not of its type.
 *
 * @param id    the value's id
 * @param field the field it answers, when sent
 * @param value the submitted value as sent ({@code null}, the JSON literal, when absent)
 * @param raw   the value object as sent
 */
public record Value(Optional<String> id, Optional<Field> field, RawJson value, @JsonIgnore RawJson raw) {

    public Value {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(raw, "raw");
    }

    private Node node() {
        return Json.read(value);
    }

    /** The value as text when it is a JSON string, number or boolean. */
    public Optional<String> asText() {
        Node value = node();
        return value.isValueNode() && !value.isNull() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** The value as a whole number, when it is one (or a string holding one). */
    public Optional<Long> asLong() {
        Node value = node();
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Optional.of(value.longValue());
        }
        if (value.isTextual()) {
            try {
                return Optional.of(Long.parseLong(value.textValue().strip()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The value as a decimal number, when it is a JSON number. */
    public Optional<Double> asDouble() {
        Node value = node();
        return value.isNumber() ? Optional.of(value.doubleValue()) : Optional.empty();
    }

    /** The value as a boolean, when it is a JSON boolean. */
    public Optional<Boolean> asBoolean() {
        Node value = node();
        return value.isBoolean() ? Optional.of(value.booleanValue()) : Optional.empty();
    }

    /** The texts of a multiple-choice value (a JSON array), or the single text as a one-element list. */
    public List<String> asTextList() {
        Node value = node();
        if (value.isArray()) {
            List<String> texts = new ArrayList<>(value.size());
            value.forEach(v -> texts.add(v.asText()));
            return List.copyOf(texts);
        }
        return asText().map(List::of).orElse(List.of());
    }

    /** True when no value was submitted (JSON null or absent). */
    @JsonIgnore
    public boolean isNull() {
        return value.isNull();
    }
}
