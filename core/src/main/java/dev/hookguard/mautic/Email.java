package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Optional;

/** A Mautic email (the template, not one send of it). */
public record Email(Optional<Long> id, Optional<String> name, Optional<String> subject, @JsonIgnore RawJson raw) {
}
