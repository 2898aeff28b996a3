package dev.hookguard.malcolm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Workflow Field: the question a {@link Value} answers.
 *
 * @param id        the field's id
 * @param name      its name, e.g. {@code Your email address}
 * @param queryName its URL query name ({@code query-name}), e.g. {@code email}; {@code null} when not defined
 * @param raw       the field object as sent
 */
public record Field(String id, String name, String queryName, JsonNode raw) {
}
