package dev.hookguard.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import com.fasterxml.jackson.core.base.ParserBase;
import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.payload.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reading typed values out of JSON nodes, failing with a {@link PayloadParseException} that names a JSON
 * pointer and never a value. Internal to Hookguard; not part of its API.
 */
public final class Json {

    /** Reads bodies and writes problem bodies. Never handed out: it is mutable. */
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

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
    public static Node readTree(byte[] body) {
        requireUtf8Json(body);
        try (JsonParser parser = parser(body)) {
            Node root = readValue(parser, firstToken(parser), body);
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
     * Reads the value that starts at {@code token} into Hookguard's own tree, objects backed by a compact
     * {@link FieldMap}, each node knowing where it starts in {@code body}. Duplicate keys are not looked for (the
     * last one wins, as in Jackson's default): the body is parsed only after its signature proved the sender, and
     * PHP's {@code json_encode} cannot write one. Depth is bounded by the parser's {@code StreamReadConstraints}
     * (1,000 levels).
     */
    public static Node readValue(JsonParser parser, JsonToken token, byte[] body) throws IOException {
        // The parser reads a byte array, so its token offsets are byte offsets.
        int start = tokenStart(parser);
        switch (token.id()) {
            case JsonTokenId.ID_START_OBJECT: {
                FieldMap.Builder fields = FieldMap.builder();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    fields.put(name, readValue(parser, parser.nextToken(), body));
                }
                return new Node(Node.OBJECT, fields.build(), body, start, tokenStart(parser) + 1);
            }
            case JsonTokenId.ID_START_ARRAY: {
                ArrayList<Node> array = new ArrayList<>();
                for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
                    if (element == null) {
                        throw new PayloadParseException("", "the body is not well-formed JSON: it ends inside an array");
                    }
                    array.add(readValue(parser, element, body));
                }
                return new Node(Node.ARRAY, array, body, start, tokenStart(parser) + 1);
            }
            case JsonTokenId.ID_STRING:
                return new Node(Node.STRING, parser.getText(), body, start, -1);
            case JsonTokenId.ID_NUMBER_INT:
                switch (parser.getNumberType()) {
                    case INT:
                    case LONG:
                        return new Node(Node.INT, parser.getLongValue(), body, start, -1);
                    default:
                        return new Node(Node.BIG_INT, parser.getBigIntegerValue(), body, start, -1);
                }
            case JsonTokenId.ID_NUMBER_FLOAT:
                return new Node(Node.FLOAT, parser.getDoubleValue(), body, start, -1);
            case JsonTokenId.ID_TRUE:
                return new Node(Node.TRUE, null, body, start, -1);
            case JsonTokenId.ID_FALSE:
                return new Node(Node.FALSE, null, body, start, -1);
            case JsonTokenId.ID_NULL:
                return new Node(Node.NULL, null, body, start, -1);
            default:
                throw new PayloadParseException("", "the body is not well-formed JSON");
        }
    }

    /**
     * Whether {@link ParserBase#getTokenCharacterOffset()} is one past the token's byte offset, as in the UTF-8 byte
     * parser of the jackson-core versions tested; checked once, so that another version falls back to locations.
     */
    private static final boolean TOKEN_OFFSET_IS_ONE_PAST = checkTokenOffsets();

    private static boolean checkTokenOffsets() {
        byte[] probe = "[ {\"a\": \"\u00e9\"}, 1]".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (JsonParser parser = FACTORY.createParser(probe)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token != JsonToken.FIELD_NAME && (!(parser instanceof ParserBase base)
                        || base.getTokenCharacterOffset() - 1 != parser.currentTokenLocation().getByteOffset())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where the current value token starts, in bytes of the array the parser reads. */
    static int tokenStart(JsonParser parser) {
        // The parser's own counter answers without allocating; the location object is the portable way.
        if (TOKEN_OFFSET_IS_ONE_PAST && parser instanceof ParserBase base) {
            return (int) base.getTokenCharacterOffset() - 1;
        }
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    /** Compact UTF-8 JSON of an object of strings and numbers: the fields of a problem body, in order. */
    public static byte[] writeObject(Map<String, ?> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            generator.writeStartObject();
            for (Map.Entry<String, ?> field : fields.entrySet()) {
                if (field.getValue() instanceof Integer number) {
                    generator.writeNumberField(field.getKey(), number);
                } else {
                    generator.writeStringField(field.getKey(), field.getValue() == null ? null : field.getValue().toString());
                }
            }
            generator.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("a problem body could not be written", e);
        }
        return out.toByteArray();
    }

    /** Reads raw JSON a parser handed out back into a tree. */
    public static Node read(RawJson raw) {
        return readTree(raw.toByteArray());
    }

    /** A raw value as text: strings unescaped, numbers as Java prints them, booleans, JSON for the rest; empty for null. */
    public static Optional<String> text(RawJson raw) {
        if (raw.isNull()) {
            return Optional.empty();
        }
        Node node = read(raw);
        return Optional.of(node.isValueNode() ? node.asText() : raw.json());
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
    public static Node object(Node parent, String field, Pointer pointer) {
        Node node = parent.get(field);
        if (node != null && node.isObject()) {
            return node;
        }
        if (node == null || node.isNull()) {
            return null;
        }
        return asObject(node, pointer, field);
    }

    /** Like {@link #object}, but an absent or null object is an error. */
    public static Node requiredObject(Node parent, String field, Pointer pointer) {
        Node node = object(parent, field, pointer);
        if (node == null) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected an object");
        }
        return node;
    }

    public static Node asObject(Node node, Pointer pointer) {
        if (node.isObject()) {
            return node;
        }
        if (node.isArray() && node.isEmpty()) {
            return node.asEmptyObject();
        }
        throw new PayloadParseException(pointer.toString(), "expected an object");
    }

    private static Node asObject(Node node, Pointer parent, String field) {
        if (node.isObject()) {
            return node;
        }
        return asObject(node, parent.child(field));
    }

    /** Text at {@code field}: strings as they are, whole numbers and booleans in their JSON form; null when absent. */
    public static String text(Node parent, String field, Pointer pointer) {
        Node node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() || node.isIntegralNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw new PayloadParseException(pointer.child(field).toString(), "expected a string");
    }

    public static String requiredText(Node parent, String field, Pointer pointer) {
        String text = text(parent, field, pointer);
        if (text == null || text.isEmpty()) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected a non-empty string");
        }
        return text;
    }

    /** A whole number at {@code field}, written as a JSON number or a numeric string; null when absent. */
    public static Long longValue(Node parent, String field, Pointer pointer) {
        Node node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.canConvertToLong()) {
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

    public static Integer intValue(Node parent, String field, Pointer pointer) {
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
    public static Boolean bool(Node parent, String field, Pointer pointer) {
        Node node = parent.get(field);
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
    public static OffsetDateTime dateTime(Node parent, String field, Pointer pointer) {
        Node node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
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
    public static OffsetDateTime requiredDateTime(Node parent, String field, Pointer pointer) {
        OffsetDateTime value = dateTime(parent, field, pointer);
        if (value == null) {
            throw new PayloadParseException(pointer.child(field).toString(), "expected an ISO 8601 date-time with offset");
        }
        return value;
    }
}
