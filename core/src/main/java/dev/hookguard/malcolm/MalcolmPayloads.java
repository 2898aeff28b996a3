package dev.hookguard.malcolm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.PayloadParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Parses Malcolm! webhook bodies. Give it the bytes that were verified; it never re-serialises them.
 *
 * <pre>{@code
 * WorkflowSession session = MalcolmPayloads.parse(rawBody, request.getHeader("X-Instance-Id"));
 * session.value("email").flatMap(Value::asText).ifPresent(this::reply);
 * }</pre>
 */
public final class MalcolmPayloads {

    private static final Pointer VALUES = Pointer.ROOT.child("values");

    private MalcolmPayloads() {
    }

    /**
     * @param body       the raw body, already verified
     * @param instanceId the {@code X-Instance-Id} header, or {@code null}
     * @throws PayloadParseException when the body is not a Workflow Session
     */
    public static WorkflowSession parse(byte[] body, String instanceId) {
        JsonNode root = Json.readTree(body);
        if (!root.isObject()) {
            throw new PayloadParseException("", "a Malcolm! payload is a Workflow Session object");
        }
        return new WorkflowSession(
                instanceId == null || instanceId.isBlank() ? null : instanceId.strip(),
                Json.requiredText(root, "id", Pointer.ROOT),
                Json.text(root, "label", Pointer.ROOT),
                Json.text(root, "description", Pointer.ROOT),
                Json.text(root, "text", Pointer.ROOT),
                Json.text(root, "locale", Pointer.ROOT),
                Json.dateTime(root, "started-at", Pointer.ROOT),
                Json.dateTime(root, "completed-at", Pointer.ROOT),
                workflow(Json.object(root, "workflow", Pointer.ROOT), Pointer.ROOT.child("workflow")),
                values(root),
                root);
    }

    private static Workflow workflow(JsonNode node, Pointer at) {
        if (node == null) {
            return null;
        }
        return new Workflow(Json.text(node, "id", at), Json.text(node, "name", at),
                Json.dateTime(node, "published-at", at), Json.text(node, "version", at), node);
    }

    private static Field field(JsonNode field, Pointer at) {
        return new Field(Json.text(field, "id", at), Json.text(field, "name", at), Json.text(field, "query-name", at), field);
    }

    private static Optional<List<Value>> values(JsonNode root) {
        JsonNode node = root.get("values");
        if (node == null) {
            return Optional.empty();
        }
        if (node.isNull()) {
            return Optional.of(List.of());
        }
        if (!node.isArray()) {
            throw new PayloadParseException("/values", "expected an array of values");
        }
        Value[] values = new Value[node.size()];
        for (int i = 0; i < values.length; i++) {
            Pointer at = VALUES.child(i);
            JsonNode v = Json.asObject(node.get(i), at);
            JsonNode field = Json.object(v, "field", at);
            JsonNode value = v.get("value");
            values[i] = new Value(Json.text(v, "id", at), field == null ? null : field(field, at.child("field")), value == null ? NullNode.getInstance() : value, v);
        }
        // A view of an array no one else holds: as unmodifiable as List.copyOf, without copying.
        return Optional.of(Collections.unmodifiableList(Arrays.asList(values)));
    }
}
