package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * A form submission.
 *
 * @param id            the submission id, unique per submission
 * @param form          the form; {@code null} when not sent
 * @param lead          the submitting contact; {@code null} when not sent
 * @param trackingId    Mautic's tracking id
 * @param dateSubmitted when it was submitted
 * @param referer       the page the form was on
 * @param results       the submitted results by field alias, in the order sent
 * @param raw           the submission object as sent
 */
public record Submission(Long id, Form form, Contact lead, String trackingId, OffsetDateTime dateSubmitted,
                         String referer, Map<String, JsonNode> results, JsonNode raw) {

    /** One submitted result as text, when it is present and not null. */
    public Optional<String> result(String alias) {
        JsonNode value = results.get(alias);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        return Optional.of(value.isValueNode() ? value.asText() : value.toString());
    }
}
