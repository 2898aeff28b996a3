package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Optional;

/**
 * A page hit.
 *
 * @param id       the hit id (documented, though Mautic's own sample lacks it); empty when not sent
 * @param dateHit  when the page was hit
 * @param page     the landing page; empty for a tracked page of another site
 * @param lead     the visiting contact; empty when not sent
 * @param url      the URL hit
 * @param referer  the referring URL
 * @param source   what brought the visitor, e.g. {@code email}
 * @param sourceId the id of that source
 * @param raw      the hit object as sent
 */
public record Hit(Optional<Long> id, Optional<OffsetDateTime> dateHit, Optional<Page> page, Optional<Contact> lead,
                  Optional<String> url, Optional<String> referer, Optional<String> source, Optional<Long> sourceId,
                  @JsonIgnore RawJson raw) {
}
