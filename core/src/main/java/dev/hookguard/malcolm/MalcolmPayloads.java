package dev.hookguard.malcolm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Pointer;
import dev.hookguard.payload.PayloadParseException;
import java.util.ArrayList;
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
        List<Value> values = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            Pointer at = Pointer.ROOT.child("values").child(i);
            JsonNode v = Json.asObject(node.get(i), at);
            JsonNode field = Json.object(v, "field", at);
            Pointer fieldAt = at.child("field");
            values.add(new Value(
                    Json.text(v, "id", at),
                    field == null ? null : new Field(Json.text(field, "id", fieldAt), Json.text(field, "name", fieldAt),
                            Json.text(field, "query-name", fieldAt), field),
                    v.has("value") ? v.get("value") : com.fasterxml.jackson.databind.node.NullNode.getInstance(),
                    v));
        }
        return Optional.of(List.copyOf(values));
    }
}
