package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Optional;

/** A landing page. */
public record Page(Optional<Long> id, Optional<String> title, Optional<String> alias, @JsonIgnore RawJson raw) {
}
