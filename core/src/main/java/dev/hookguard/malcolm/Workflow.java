package dev.hookguard.malcolm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The Workflow a session completed.
 *
 * @param id          the workflow's id
 * @param name        its name, e.g. {@code Open Support Ticket}
 * @param publishedAt {@code published-at}, offset kept
 * @param version     the name of the workflow version
 * @param raw         the workflow object as sent
 */
public record Workflow(String id, Optional<String> name, Optional<OffsetDateTime> publishedAt, Optional<String> version, @JsonIgnore RawJson raw) {

    public Workflow {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publishedAt, "publishedAt");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(raw, "raw");
    }
}
