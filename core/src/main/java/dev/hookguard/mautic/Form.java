package dev.hookguard.mautic;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.util.Optional;

/** The form a submission was made to. */
public record Form(Optional<Long> id, Optional<String> name, Optional<String> alias, @JsonIgnore RawJson raw) {
}
