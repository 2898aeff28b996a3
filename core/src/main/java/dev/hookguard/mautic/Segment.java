package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Optional;

/** A segment (a contact list). */
public record Segment(Optional<Long> id, Optional<String> name, Optional<String> alias, @JsonIgnore RawJson raw) {
}
