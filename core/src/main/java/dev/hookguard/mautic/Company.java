package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A Mautic company.
 *
 * @param id  the company id; {@code null} in a delete event
 * @param raw the company object as sent
 */
public record Company(Long id, JsonNode raw) {

    /** The value of a custom field by alias, across groups. */
    public Optional<String> field(String alias) {
        return Fields.value(raw, alias);
    }

    /** The {@code companyname} field. */
    public Optional<String> name() {
        return field("companyname");
    }
}
