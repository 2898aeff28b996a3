package dev.hookguard.malcolm;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * A completed Malcolm! Workflow Session, the body of every Malcolm! webhook.
 *
 * @param instanceId  the sending instance, from the {@code X-Instance-Id} header; {@code null} when absent
 * @param id          the session's id; Malcolm! sends no delivery id, so this is the idempotency key
 * @param label       e.g. {@code Completed by Tom Jordan}
 * @param description the label with the workflow's name
 * @param text        the same as the description
 * @param locale      e.g. {@code en-GB}
 * @param startedAt   {@code started-at}, offset kept
 * @param completedAt {@code completed-at}, offset kept
 * @param workflow    the completed workflow; {@code null} when not sent
 * @param values      the submitted values when "Include the Workflow Values" is on; empty when the payload
 *                    has no {@code values} at all, which is not the same as an empty list
 * @param raw         the whole body as parsed
 */
public record WorkflowSession(
        String instanceId,
        String id,
        String label,
        String description,
        String text,
        String locale,
        OffsetDateTime startedAt,
        OffsetDateTime completedAt,
        Workflow workflow,
        Optional<List<Value>> values,
        JsonNode raw) {

    /**
     * The first value whose field's {@code query-name} or name equals {@code key} (query name first, then
     * name, both exact).
     */
    public Optional<Value> value(String key) {
        List<Value> all = values.orElse(List.of());
        for (Value v : all) {
            if (v.field() != null && key.equals(v.field().queryName())) {
                return Optional.of(v);
            }
        }
        for (Value v : all) {
            if (v.field() != null && key.equals(v.field().name())) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** The key under which this session is handled once: the instance and the session id. */
    public String idempotencyKey() {
        return "malcolm:" + (instanceId == null ? "-" : instanceId) + ":" + id;
    }
}
