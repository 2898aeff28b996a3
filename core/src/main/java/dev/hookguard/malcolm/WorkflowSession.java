package dev.hookguard.malcolm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.hookguard.internal.StorableKeys;
import dev.hookguard.payload.RawJson;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A completed Malcolm! Workflow Session, the body of every Malcolm! webhook. What every real session carries is
 * required (a body without it is refused with a pointer to what is missing); the rest is {@link Optional}.
 *
 * @param instanceId  the sending instance, from the {@code X-Instance-Id} header; not covered by the signature,
 *                    so informational only (never part of the idempotency key)
 * @param id          the session's id; Malcolm! sends no delivery id, so this is the idempotency key
 * @param label       e.g. {@code Completed by Tom Jordan}
 * @param description the label with the workflow's name
 * @param text        the same as the description
 * @param locale      e.g. {@code en-GB}
 * @param startedAt   {@code started-at}, offset kept
 * @param completedAt {@code completed-at}, offset kept
 * @param workflow    the completed workflow
 * @param values      the submitted values when "Include the Workflow Values" is on; empty when the payload
 *                    has no {@code values} at all, which is not the same as an empty list
 * @param raw         the whole body as parsed
 */
public record WorkflowSession(
        Optional<String> instanceId,
        String id,
        String label,
        Optional<String> description,
        Optional<String> text,
        Optional<String> locale,
        OffsetDateTime startedAt,
        OffsetDateTime completedAt,
        Workflow workflow,
        Optional<List<Value>> values,
        @JsonIgnore RawJson raw) {

    public WorkflowSession {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(locale, "locale");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(completedAt, "completedAt");
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * The first value whose field's {@code query-name} or name equals {@code key} (query name first, then
     * name, both exact).
     */
    public Optional<Value> value(String key) {
        List<Value> all = values.orElse(List.of());
        for (Value v : all) {
            if (v.field().flatMap(Field::queryName).filter(key::equals).isPresent()) {
                return Optional.of(v);
            }
        }
        for (Value v : all) {
            if (v.field().flatMap(Field::name).filter(key::equals).isPresent()) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * The key under which this session is handled once: its id, which the signature covers. The instance
     * header is not part of it (anyone can change it); under a secret resolver the endpoint prefixes the key
     * with the tenant whose secrets verified the body. An id that no database column can hold as it is (a NUL
     * character, an unpaired surrogate) is keyed by its SHA-256 instead: {@code malcolm:sha256:<hex>}.
     */
    public String idempotencyKey() {
        return "malcolm:" + StorableKeys.storableOrDigest(id);
    }
}
