package dev.hookguard.malcolm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Objects;
import java.util.Optional;

/**
 * A Workflow Field: the question a {@link Value} answers.
 *
 * @param id        the field's id
 * @param name      its name, e.g. {@code Your email address}
 * @param queryName its URL query name ({@code query-name}), e.g. {@code email}, when one is defined
 * @param raw       the field object as sent
 */
public record Field(Optional<String> id, Optional<String> name, Optional<String> queryName, @JsonIgnore RawJson raw) {

    public Field {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(queryName, "queryName");
        Objects.requireNonNull(raw, "raw");
    }
}
