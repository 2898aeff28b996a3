package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Mautic contact (a "lead"), as contact events, form submissions, page hits and email stats carry it.
 *
 * @param id             the contact id; empty in a delete event, where Mautic has already cleared it
 * @param points         the contact's points
 * @param dateAdded      when the contact was created
 * @param dateModified   when it was last changed
 * @param dateIdentified when it became identified
 * @param fields         every non-empty custom field value by alias across all groups (core, social,
 *                       personal, ...), in the order sent; read when first used
 * @param raw            the contact object as sent
 */
public record Contact(Optional<Long> id, Optional<Integer> points, Optional<OffsetDateTime> dateAdded,
                      Optional<OffsetDateTime> dateModified, Optional<OffsetDateTime> dateIdentified,
                      Map<String, String> fields, @JsonIgnore RawJson raw) {

    public Contact {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(points, "points");
        Objects.requireNonNull(dateAdded, "dateAdded");
        Objects.requireNonNull(dateModified, "dateModified");
        Objects.requireNonNull(dateIdentified, "dateIdentified");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(raw, "raw");
    }

    /** The value of a custom field, looked up by alias across all groups (core, social, personal, ...). */
    public Optional<String> field(String alias) {
        return Optional.ofNullable(fields.get(alias));
    }

    /** The {@code email} field. */
    public Optional<String> email() {
        return field("email");
    }

    /** First and last name joined, when either is set. */
    public Optional<String> name() {
        String first = field("firstname").orElse("");
        String last = field("lastname").orElse("");
        String name = (first + " " + last).strip();
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }
}
