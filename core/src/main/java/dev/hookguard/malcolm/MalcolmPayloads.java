package dev.hookguard.malcolm;

import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.payload.RawJson;
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

    /** The value of a Value object without one. */
    private static final RawJson ABSENT = RawJson.of("null");

    private MalcolmPayloads() {
    }

    /**
     * @param body       the raw body, already verified
     * @param instanceId the {@code X-Instance-Id} header, or {@code null}
     * @throws PayloadParseException when the body is not a Workflow Session
     */
    public static WorkflowSession parse(byte[] body, String instanceId) {
        Node root = Json.readTree(body);
        if (!root.isObject()) {
            throw new PayloadParseException("", "a Malcolm! payload is a Workflow Session object");
        }
        // What every real session carries is required, so a handler never meets a half session.
        return new WorkflowSession(
                instanceId == null || instanceId.isBlank() ? Optional.empty() : Optional.of(instanceId.strip()),
                Json.requiredText(root, "id", Pointer.ROOT),
                Json.requiredText(root, "label", Pointer.ROOT),
                optionalText(root, "description", Pointer.ROOT),
                optionalText(root, "text", Pointer.ROOT),
                optionalText(root, "locale", Pointer.ROOT),
                Json.requiredDateTime(root, "started-at", Pointer.ROOT),
                Json.requiredDateTime(root, "completed-at", Pointer.ROOT),
                workflow(Json.requiredObject(root, "workflow", Pointer.ROOT), Pointer.ROOT.child("workflow")),
                values(root),
                root.raw());
    }

    private static Optional<String> optionalText(Node node, String field, Pointer at) {
        return Optional.ofNullable(Json.text(node, field, at));
    }

    private static Workflow workflow(Node node, Pointer at) {
        return new Workflow(Json.requiredText(node, "id", at), optionalText(node, "name", at),
                Optional.ofNullable(Json.dateTime(node, "published-at", at)), optionalText(node, "version", at), node.raw());
    }

    private static Field field(Node field, Pointer at) {
        return new Field(optionalText(field, "id", at), optionalText(field, "name", at), optionalText(field, "query-name", at), field.raw());
    }

    private static Optional<List<Value>> values(Node root) {
        Node node = root.get("values");
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
            Node v = Json.asObject(node.get(i), at);
            Node field = Json.object(v, "field", at);
            Node value = v.get("value");
            values[i] = new Value(optionalText(v, "id", at), field == null ? Optional.empty() : Optional.of(field(field, at.child("field"))),
                    value == null ? ABSENT : value.raw(), v.raw());
        }
        // A view of an array no one else holds: as unmodifiable as List.copyOf, without copying.
        return Optional.of(Collections.unmodifiableList(Arrays.asList(values)));
    }
}
