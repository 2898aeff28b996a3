package dev.hookguard.malcolm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * The Workflow a session completed.
 *
 * @param id          the workflow's id
 * @param name        its name, e.g. {@code Open Support Ticket}
 * @param publishedAt {@code published-at}, offset kept; {@code null} when not sent
 * @param version     the name of the workflow version
 * @param raw         the workflow object as sent
 */
public record Workflow(String id, String name, OffsetDateTime publishedAt, String version, JsonNode raw) {
}
