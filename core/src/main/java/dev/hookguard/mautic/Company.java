package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Mautic company.
 *
 * @param id  the company id; empty in a delete event
 * @param fields every non-empty custom field value by alias across groups, in the order sent; read when first used
 * @param raw the company object as sent
 */
public record Company(Optional<Long> id, Map<String, String> fields, @JsonIgnore RawJson raw) {

    public Company {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(raw, "raw");
    }

    /** The value of a custom field by alias, across groups. */
    public Optional<String> field(String alias) {
        return Optional.ofNullable(fields.get(alias));
    }

    /** The {@code companyname} field. */
    public Optional<String> name() {
        return field("companyname");
    }
}
