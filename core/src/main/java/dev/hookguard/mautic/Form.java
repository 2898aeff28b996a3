package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;

/** The form a submission was made to. */
public record Form(Long id, String name, String alias, JsonNode raw) {
}
