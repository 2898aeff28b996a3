package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;

/** A landing page. */
public record Page(Long id, String title, String alias, JsonNode raw) {
}
