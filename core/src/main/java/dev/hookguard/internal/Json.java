package dev.hookguard.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hookguard.payload.PayloadParseException;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reading typed values out of JSON nodes, failing with a {@link PayloadParseException} that names a JSON
 * pointer and never a value. Internal to Hookguard; not part of its API.
 */
public final class Json {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** For writing (problem bodies); bodies are read by {@link #readTree} and {@link #readValue}. Never handed out: it is mutable. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private static final JsonFactory FACTORY = MAPPER.getFactory();

    static {
        // FieldMap.addParsed finds repeated names by identity, which holds only while Jackson interns them.
        if (!FACTORY.isEnabled(JsonFactory.Feature.INTERN_FIELD_NAMES) || !FACTORY.isEnabled(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)) {
            throw new IllegalStateException("Hookguard's JSON factory must intern field names");
        }
    }

    private Json() {
    }

    /**
     * Refuses what both senders never send: an empty body, or JSON in UTF-16 or UTF-32, which Jackson would
     * otherwise detect and accept (RFC 8259 requires UTF-8 between systems).
     */
    public static void requireUtf8Json(byte[] body) {
        if (body.length == 0) {
            throw new PayloadParseException("", "the body is empty");
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                throw new PayloadParseException("", "the body is not UTF-8 JSON");
            }
        }
    }

    /** Reads a whole body as one JSON value. */
    public static JsonNode readTree(byte[] body) {
        requireUtf8Json(body);
        try (JsonParser parser = parser(body)) {
            JsonNode root = readValue(parser, firstToken(parser));
            requireEnd(parser);
            return root;
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PayloadParseException("", "the body could not be read as JSON");
        }
    }

    /** The body's first token; refuses a body of only whitespace. */
    public static JsonToken firstToken(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new PayloadParseException("", "the body holds no JSON value");
        }
        return first;
    }

    /** Refuses anything after the body's one JSON value. */
    public static void requireEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            JsonLocation at = parser.currentTokenLocation();
            throw new PayloadParseException("", "the body is not well-formed JSON: more than one value, near line "
                    + at.getLineNr() + ", column " + at.getColumnNr());
        }
    }

    /**
     * Reads the value that starts at {@code token} into the same nodes Jackson's {@code readTree} builds, with objects
     * backed by a compact {@link FieldMap}. Duplicate keys are not looked for (the last one wins, as in Jackson's
     * default): the body is parsed only after its signature proved the sender, and PHP's {@code json_encode} cannot
     * write one. Depth is bounded by the parser's {@code StreamReadConstraints} (1,000 levels).
     */
    public static JsonNode readValue(JsonParser parser, JsonToken token) throws IOException {
        switch (token.id()) {
            case JsonTokenId.ID_START_OBJECT: {
                FieldMap fields = new FieldMap();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    fields.addParsed(name, readValue(parser, parser.nextToken()));
                }
                return new ObjectNode(NODES, fields);
            }
            case JsonTokenId.ID_START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                    if (element == null) {
                        throw new PayloadParseException("", "the body is not well-formed JSON: it ends inside an array");
                    }
                    array.add(readValue(parser, element));
                }
                return array;
            }
            case JsonTokenId.ID_STRING:
                return TextNode.valueOf(parser.getText());
            case JsonTokenId.ID_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                        return IntNode.valueOf(parser.getIntValue());
                    case LONG:
                        return LongNode.valueOf(parser.getLongValue());
                    default:
                        return BigIntegerNode.valueOf(parser.getBigIntegerValue());
                }
            case JsonTokenId.ID_NUMBER_FLOAT:
                return DoubleNode.valueOf(parser.getDoubleValue());
            case JsonTokenId.ID_TRUE:
                return BooleanNode.TRUE;
            case JsonTokenId.ID_FALSE:
                return BooleanNode.FALSE;
            case JsonTokenId.ID_NULL:
                return NullNode.instance;
            default:
                throw new PayloadParseException("", "the body is not well-formed JSON");
        }
    }

    /** An empty object of the kind {@link #readValue} builds. */
    /** Compact UTF-8 JSON of a node this library built. */
    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a node built in memory could not be written", e);
        }
    }

    public static ObjectNode objectNode() {
        return new ObjectNode(NODES, new FieldMap());
    }

    /** Turns a Jackson failure into one that says where, but not what (Jackson's messages quote the input). */
    public static PayloadParseException malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " near line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new PayloadParseException("", "the body is not well-formed JSON" + where);
    }

    public static JsonParser parser(byte[] body) throws IOException {
        return FACTORY.createParser(body);
    }

    /**
     * The object at {@code field}; {@code null} when absent or null; an empty object for {@code []}, which is
     * how PHP's {@code json_encode} writes an empty object.
     */
    public static JsonNode object(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
        if (node instanceof ObjectNode) {
            return node;
        }
        if (node == null || node.isNull()) {
            return null;
        }
        return asObject(node, pointer, field);
    }

    /** Like {@link #object}, but an absent or null object is an error. */
    public static JsonNode requiredObject(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = object(parent, field, pointer);
        if (node == null) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected an object");
        }
        return node;
    }

    public static JsonNode asObject(JsonNode node, Pointer pointer) {
        if (node.isObject()) {
            return node;
        }
        if (node.isArray() && node.isEmpty()) {
            return objectNode();
        }
        throw new PayloadParseException(pointer.toString(), "expected an object");
    }

    private static JsonNode asObject(JsonNode node, Pointer parent, String field) {
        if (node.isObject()) {
            return node;
        }
        return asObject(node, parent.child(field));
    }

    /** Text at {@code field}: strings as they are, whole numbers and booleans in their JSON form; null when absent. */
    public static String text(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
        // Class checks before JsonNode's virtual is*() calls, which are megamorphic here and cost more than parsing.
        if (node instanceof TextNode) {
            return node.textValue();
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() || node.isIntegralNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw new PayloadParseException(pointer.child(field).toString(), "expected a string");
    }

    public static String requiredText(JsonNode parent, String field, Pointer pointer) {
        String text = text(parent, field, pointer);
        if (text == null || text.isEmpty()) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected a non-empty string");
        }
        return text;
    }

    /** A whole number at {@code field}, written as a JSON number or a numeric string; null when absent. */
    public static Long longValue(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
        if (node instanceof IntNode || node instanceof LongNode) {
            return node.longValue();
        }
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            String s = node.textValue().strip();
            if (s.isEmpty()) {
                return null;
            }
            if (s.length() <= 19) {
                try {
                    return Long.parseLong(s);
                } catch (NumberFormatException ignored) {
                    // reported below, without the value
                }
            }
        }
        throw new PayloadParseException(pointer.child(field).toString(), "expected a whole number within 64 bits");
    }

    public static Integer intValue(JsonNode parent, String field, Pointer pointer) {
        Long value = longValue(parent, field, pointer);
        if (value == null) {
            return null;
        }
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected a whole number within 32 bits");
        }
        return value.intValue();
    }

    /** A boolean, also accepting PHP's {@code 0}/{@code 1} and {@code "0"}/{@code "1"}; null when absent. */
    public static Boolean bool(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if ((node.isIntegralNumber() || node.isTextual())) {
            String s = node.asText();
            if ("1".equals(s) || "0".equals(s)) {
                return "1".equals(s);
            }
        }
        throw new PayloadParseException(pointer.child(field).toString(), "expected a boolean");
    }

    /** An ISO 8601 date-time with offset; null when absent, null or empty. */
    public static OffsetDateTime dateTime(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
        if (node == null || node instanceof NullNode) {
            return null;
        }
        if (node instanceof TextNode) {
            if (node.textValue().isEmpty()) {
                return null;
            }
            try {
                return IsoDateTimes.parse(node.textValue());
            } catch (DateTimeParseException ignored) {
                // reported below, without the value
            }
        }
        throw new PayloadParseException(pointer.child(field).toString(), "expected an ISO 8601 date-time with offset");
    }

    /** Like {@link #dateTime}, but absent, null or empty is an error. */
    public static OffsetDateTime requiredDateTime(JsonNode parent, String field, Pointer pointer) {
        OffsetDateTime value = dateTime(parent, field, pointer);
        if (value == null) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected an ISO 8601 date-time with offset");
        }
        return value;
    }
}
