package dev.hookguard.payload;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One JSON value exactly as the sender wrote it: the UTF-8 bytes of that element of the verified body, with
 * its escapes, number spellings and whitespace. No JSON library can give these back once it has parsed them;
 * read them with the one your application uses:
 *
 * <pre>{@code
 * JsonNode node = new ObjectMapper().readTree(raw.openStream());      // Jackson 2
 * JsonNode node = JsonMapper.shared().readTree(raw.openStream());      // Jackson 3
 * }</pre>
 *
 * <p>Serialised by Jackson 2 or 3 as the value it holds ({@link #toJavaObject()}). Immutable; equal when the bytes are.
 * A slice keeps the whole body it came from in memory.
 */
public final class RawJson {

    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private final byte[] body;
    private final int start;
    /**
     * Exclusive; -1 until first needed for a scalar, whose end the parser never reported. Any value below 1 means
     * not yet known (an end is always past a start of at least 0): a thread handed this object through a data race
     * may see the field's default 0 instead of what the constructor wrote, and must then scan, not read nothing.
     */
    private int end;

    /** Called by Hookguard's parser (through a method handle, so that the API has no way to share a body). */
    private RawJson(byte[] body, int start, int end) {
        this.body = body;
        this.start = start;
        this.end = end;
    }

    /**
     * JSON you hold, e.g. to build a record in a test.
     *
     * @throws IllegalArgumentException when {@code json} is not exactly one well-formed JSON value
     */
    public static RawJson of(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() == null) {
                throw new IllegalArgumentException("no JSON value");
            }
            int start = (int) parser.currentTokenLocation().getByteOffset();
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value");
            }
            return new RawJson(bytes, start, endOfValue(bytes, start));
        } catch (IOException e) {
            throw new IllegalArgumentException("not well-formed JSON"); // Jackson's message would quote the input
        }
    }

    private int end() {
        int e = end;
        if (e <= 0) {
            // Idempotent, so a race between threads only repeats the scan.
            e = endOfValue(body, start);
            end = e;
        }
        return e;
    }

    /** The number of bytes. */
    public int length() {
        return end() - start;
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return Arrays.copyOfRange(body, start, end());
    }

    /** The bytes as a stream, without copying them. */
    public InputStream openStream() {
        return new ByteArrayInputStream(body, start, length());
    }

    /** Writes the bytes to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(body, start, length());
    }

    /** True when the value is the JSON literal {@code null}. */
    public boolean isNull() {
        return body[start] == 'n';
    }

    /**
     * The value as plain Java objects: a {@code Map} (fields in the order sent), a {@code List}, a {@code String}, an
     * {@code Integer}, {@code Long} or {@code BigInteger}, a {@code BigDecimal} (its digits as sent), a {@code Boolean},
     * or {@code null}. Unmodifiable. This is what Jackson 2 and 3 serialise, in any format, each with its own escaping:
     * never the raw text, which an XML or YAML writer would paste in unescaped.
     */
    @JsonValue
    public Object toJavaObject() {
        try (JsonParser parser = FACTORY.createParser(body, start, length())) {
            return javaValue(parser, parser.nextToken());
        } catch (IOException e) {
            throw new IllegalStateException("raw JSON that was well-formed could not be read", e);
        }
    }

    private static Object javaValue(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT: {
                Map<String, Object> fields = new LinkedHashMap<>();
                for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                    fields.put(name, javaValue(parser, parser.nextToken()));
                }
                return Collections.unmodifiableMap(fields);
            }
            case START_ARRAY: {
                List<Object> elements = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    elements.add(javaValue(parser, t));
                }
                return Collections.unmodifiableList(elements);
            }
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
                return parser.getNumberValue();
            case VALUE_NUMBER_FLOAT:
                return parser.getDecimalValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** The JSON text, exactly as sent. */
    public String json() {
        return new String(body, start, length(), StandardCharsets.UTF_8);
    }

    /** The JSON text; values come from a sender, so mind where you log it. */
    @Override
    public String toString() {
        return json();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson other && Arrays.equals(body, start, end(), other.body, other.start, other.end());
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = start, e = end(); i < e; i++) {
            h = 31 * h + body[i];
        }
        return h;
    }

    // The parser reports where each token starts but not where a scalar ends; asking on every token would cost an
    // object each, while few values are ever asked for their bytes. The bytes were proven well-formed.
    /** The exclusive end of the well-formed value that starts at {@code start}. */
    private static int endOfValue(byte[] json, int start) {
        int i = start;
        byte first = json[i];
        if (first == '"') {
            return endOfString(json, i);
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (; i < json.length; i++) {
                byte b = json[i];
                if (b == '"') {
                    i = endOfString(json, i) - 1;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (--depth == 0) {
                        return i + 1;
                    }
                }
            }
            throw new IllegalStateException("unterminated JSON value");
        }
        while (i < json.length && !isDelimiter(json[i])) {
            i++;
        }
        return i;
    }

    private static int endOfString(byte[] json, int quote) {
        for (int i = quote + 1; i < json.length; i++) {
            byte b = json[i];
            if (b == '\\') {
                i++;
            } else if (b == '"') {
                return i + 1;
            }
        }
        throw new IllegalStateException("unterminated JSON string");
    }

    private static boolean isDelimiter(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
