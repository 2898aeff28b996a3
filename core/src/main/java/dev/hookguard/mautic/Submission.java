package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.internal.Json;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * A form submission.
 *
 * @param id            the submission id, unique per submission
 * @param form          the form; empty when not sent
 * @param lead          the submitting contact; empty when not sent
 * @param trackingId    Mautic's tracking id
 * @param dateSubmitted when it was submitted
 * @param referer       the page the form was on
 * @param results       the submitted results by field alias, in the order sent, each as sent
 * @param raw           the submission object as sent
 */
public record Submission(Optional<Long> id, Optional<Form> form, Optional<Contact> lead, Optional<String> trackingId,
                         Optional<OffsetDateTime> dateSubmitted, Optional<String> referer, Map<String, RawJson> results,
                         @JsonIgnore RawJson raw) {

    /** One submitted result as text, when it is present and not null. */
    public Optional<String> result(String alias) {
        RawJson value = results.get(alias);
        return value == null ? Optional.empty() : Json.text(value);
    }
}
