package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * A page hit.
 *
 * @param id       the hit id (documented, though Mautic's own sample lacks it); {@code null} when not sent
 * @param dateHit  when the page was hit
 * @param page     the landing page; {@code null} for a tracked page of another site
 * @param lead     the visiting contact; {@code null} when not sent
 * @param url      the URL hit
 * @param referer  the referring URL
 * @param source   what brought the visitor, e.g. {@code email}
 * @param sourceId the id of that source
 * @param raw      the hit object as sent
 */
public record Hit(Long id, OffsetDateTime dateHit, Page page, Contact lead, String url, String referer,
                  String source, Long sourceId, JsonNode raw) {
}
