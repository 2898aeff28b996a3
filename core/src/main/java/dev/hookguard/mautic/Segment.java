package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;

/** A segment (a contact list). */
public record Segment(Long id, String name, String alias, JsonNode raw) {
}
