package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * A Mautic contact (a "lead"), as contact events, form submissions, page hits and email stats carry it.
 *
 * @param id             the contact id; {@code null} in a delete event, where Mautic has already cleared it
 * @param points         the contact's points
 * @param dateAdded      when the contact was created
 * @param dateModified   when it was last changed
 * @param dateIdentified when it became identified
 * @param raw            the contact object as sent
 */
public record Contact(Long id, Integer points, OffsetDateTime dateAdded, OffsetDateTime dateModified,
                      OffsetDateTime dateIdentified, JsonNode raw) {

    /** The value of a custom field, looked up by alias across all groups (core, social, personal, ...). */
    public Optional<String> field(String alias) {
        return Fields.value(raw, alias);
    }

    /** Every non-empty field value by alias, in the order sent. */
    public Map<String, String> fields() {
        return Fields.all(raw);
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
