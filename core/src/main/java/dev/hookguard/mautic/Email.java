package dev.hookguard.mautic;

import com.fasterxml.jackson.databind.JsonNode;

/** A Mautic email (the template, not one send of it). */
public record Email(Long id, String name, String subject, JsonNode raw) {
}
