package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Compares Hookguard's {@link Node} tree with the tree Jackson 2's {@code readTree} builds from the same body: the same
 * structure (kinds, field names in order, elements, text, numbers by their Jackson node type), the same answers to
 * the {@code JsonNode}-like methods Node mirrors, and for every element raw bytes that are exactly that element's span
 * of the body (Jackson reads them back to the same subtree, no whitespace around them, {@code start()}/{@code end()}
 * agreeing).
 */
public final class SameTree {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    private SameTree() {
    }

    public static void assertSameTree(byte[] body, Node ours, JsonNode jacksons) {
        assertSame(body, ours, jacksons, "");
    }

    private static void assertSame(byte[] body, Node ours, JsonNode jacksons, String at) {
        assertThat(ours).as("node at '%s'", at).isNotNull();
        assertThat(jacksons).as("Jackson's node at '%s'", at).isNotNull();
        String where = "'" + at + "': " + ours + " vs " + jacksons.getNodeType();
        assertThat(ours.isObject()).as(where).isEqualTo(jacksons.isObject());
        assertThat(ours.isArray()).as(where).isEqualTo(jacksons.isArray());
        assertThat(ours.isTextual()).as(where).isEqualTo(jacksons.isTextual());
        assertThat(ours.isNull()).as(where).isEqualTo(jacksons.isNull());
        assertThat(ours.isMissingNode()).as(where).isEqualTo(jacksons.isMissingNode());
        assertThat(ours.isIntegralNumber()).as(where).isEqualTo(jacksons.isIntegralNumber());
        assertThat(ours.isNumber()).as(where).isEqualTo(jacksons.isNumber());
        assertThat(ours.isBoolean()).as(where).isEqualTo(jacksons.isBoolean());
        assertThat(ours.isValueNode()).as(where).isEqualTo(jacksons.isValueNode());
        assertThat(ours.size()).as(where).isEqualTo(jacksons.size());
        assertThat(ours.isEmpty()).as(where).isEqualTo(jacksons.isEmpty());
        assertThat(ours.textValue()).as(where).isEqualTo(jacksons.textValue());
        assertThat(ours.asText()).as(where).isEqualTo(jacksons.asText());
        assertThat(ours.booleanValue()).as(where).isEqualTo(jacksons.booleanValue());
        assertThat(ours.longValue()).as(where).isEqualTo(jacksons.longValue());
        assertThat(Double.compare(ours.doubleValue(), jacksons.doubleValue())).as(where).isZero();
        if (jacksons.isIntegralNumber()) {
            // Whole numbers: within 64 bits exactly when Jackson made an int or long node of them.
            assertThat(ours.canConvertToLong()).as(where).isEqualTo(jacksons.isInt() || jacksons.isLong());
            assertThat(jacksons.isInt() || jacksons.isLong() || jacksons.isBigInteger()).as(where).isTrue();
            assertThat(ours.bigIntegerValue()).as(where).isEqualTo(jacksons.bigIntegerValue());
        } else {
            // Unlike Jackson, a decimal never converts to a long: ids and counts must be whole numbers.
            assertThat(ours.canConvertToLong()).as(where).isFalse();
        }
        if (jacksons.isNumber() && !jacksons.isIntegralNumber()) {
            assertThat(jacksons.isDouble()).as(where).isTrue();
        }
        assertExactBytes(body, ours, jacksons, where);
        if (jacksons.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> expected = jacksons.properties().iterator();
            Iterator<Node> values = ours.iterator();
            for (Map.Entry<String, Node> field : ours.properties()) {
                assertThat(expected.hasNext()).as(where + " has more fields").isTrue();
                Map.Entry<String, JsonNode> theirs = expected.next();
                assertThat(field.getKey()).as(where + " field order").isEqualTo(theirs.getKey());
                assertThat(ours.has(field.getKey())).isTrue();
                assertThat(ours.get(field.getKey())).isSameAs(field.getValue());
                assertThat(ours.path(field.getKey())).isSameAs(field.getValue());
                assertThat(values.next()).isSameAs(field.getValue());
                assertSame(body, field.getValue(), theirs.getValue(), at + "/" + field.getKey());
            }
            assertThat(expected.hasNext()).as(where + " lacks fields").isFalse();
            assertThat(values.hasNext()).isFalse();
            assertThat(ours.get(0)).isNull();
        } else if (jacksons.isArray()) {
            Iterator<Node> elements = ours.iterator();
            for (int i = 0; i < jacksons.size(); i++) {
                assertThat(elements.next()).isSameAs(ours.get(i));
                assertSame(body, ours.get(i), jacksons.get(i), at + "/" + i);
            }
            assertThat(elements.hasNext()).isFalse();
            assertThat(ours.get(jacksons.size())).isNull();
            assertThat(ours.get(-1)).isNull();
            assertThat(ours.properties()).isEmpty();
        } else {
            assertThat(ours.iterator().hasNext()).as(where).isFalse();
            assertThat(ours.properties()).as(where).isEmpty();
        }
        if (!jacksons.isObject()) {
            assertThat(ours.get("x")).isNull();
            assertThat(ours.has("x")).isFalse();
            assertThat(ours.path("x").isMissingNode()).isTrue();
        }
    }

    /** The element's raw bytes are its span of the body: nothing around it, and exactly it. */
    private static void assertExactBytes(byte[] body, Node ours, JsonNode jacksons, String where) {
        byte[] raw = ours.raw().toByteArray();
        int start = ours.start();
        int end = ours.end();
        assertThat(raw).as(where).isNotEmpty();
        assertThat(end - start).as(where).isEqualTo(raw.length).isEqualTo(ours.raw().length());
        assertThat(Arrays.equals(body, start, end, raw, 0, raw.length)).as(where + " raw bytes are the body's span").isTrue();
        assertThat(isWhitespace(raw[0]) || isWhitespace(raw[raw.length - 1])).as(where + " raw bytes trimmed").isFalse();
        try {
            assertThat(JACKSON.readTree(raw)).as(where + " raw bytes read back").isEqualTo(jacksons);
        } catch (IOException e) {
            throw new UncheckedIOException(where + ": raw bytes are not one JSON value", e);
        }
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
