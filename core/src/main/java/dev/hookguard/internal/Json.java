package dev.hookguard.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hookguard.payload.PayloadParseException;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reading typed values out of JSON nodes, failing with a {@link PayloadParseException} that names a JSON
 * pointer and never a value. Internal to Hookguard; not part of its API.
 */
public final class Json {

    /**
     * Duplicate keys are not looked for: the body is parsed only after its signature proved the sender, and PHP's
     * {@code json_encode} cannot write one; detecting them cost a third of the parsing time (ParseBenchmark).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private static final ObjectReader WHOLE_BODY = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static final JsonFactory FACTORY = MAPPER.getFactory();

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
        try {
            JsonNode node = WHOLE_BODY.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new PayloadParseException("", "the body holds no JSON value");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new PayloadParseException("", "the body could not be read as JSON");
        }
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

    public static ObjectNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * The object at {@code field}; {@code null} when absent or null; an empty object for {@code []}, which is
     * how PHP's {@code json_encode} writes an empty object.
     */
    public static JsonNode object(JsonNode parent, String field, Pointer pointer) {
        JsonNode node = parent.get(field);
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
            return emptyObject();
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
}
