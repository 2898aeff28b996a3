package dev.hookguard.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.Value;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.mautic.Submission;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Raw JSON is the exact bytes of an element as received: nothing re-encoded, nothing around it. */
class RawJsonTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The raw JSON of the element at {@code pointer} (field names and indexes) of {@code body}, as the parsers make it. */
    private static RawJson rawAt(String body, Object... path) {
        Node node = Json.readTree(utf8(body));
        for (Object step : path) {
            node = step instanceof Integer i ? node.get(i) : node.get((String) step);
        }
        return node.raw();
    }

    /** All the ways to read the bytes give exactly {@code expected}. */
    private static void assertBytes(RawJson raw, String expected) throws IOException {
        byte[] bytes = utf8(expected);
        assertThat(raw.json()).isEqualTo(expected);
        assertThat(raw.toString()).isEqualTo(expected);
        assertThat(raw.toByteArray()).isEqualTo(bytes);
        assertThat(raw.length()).isEqualTo(bytes.length);
        try (InputStream in = raw.openStream()) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        raw.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(bytes);
        assertThat(raw).isEqualTo(RawJson.of(expected)).hasSameHashCodeAs(RawJson.of(expected));
    }

    @Test
    void objectsAndArraysKeepTheirWhitespaceAndOrder() throws Exception {
        String body = "{ \"a\" : { \"z\" : 1 ,\n\t\"b\" : [ 1 , 2 ] } , \"c\":[],\"d\":{}, \"e\" : [ {\"x\":null} ] }";
        assertBytes(rawAt(body), body.strip());
        assertBytes(rawAt(body, "a"), "{ \"z\" : 1 ,\n\t\"b\" : [ 1 , 2 ] }");
        assertBytes(rawAt(body, "a", "b"), "[ 1 , 2 ]");
        assertBytes(rawAt(body, "c"), "[]");
        assertBytes(rawAt(body, "d"), "{}");
        assertBytes(rawAt(body, "e"), "[ {\"x\":null} ]");
        assertBytes(rawAt(body, "e", 0), "{\"x\":null}");
        assertBytes(rawAt("  \n[1,2]\r\n ", new Object[0]), "[1,2]");
    }

    @Test
    void stringsKeepTheirEscapes() throws Exception {
        String body = "{\"a\":\"\\u00e9\",\"b\":\"q\\\"uo\\\\te\\\\\",\"c\":\"http:\\/\\/x\",\"d\":\"a,]}\\\"[{\",\"e\":\"\\ud83d\\ude00\",\"f\":\"\"}";
        assertBytes(rawAt(body, "a"), "\"\\u00e9\"");
        assertThat(rawAt(body, "a").json()).isNotEqualTo("\"\u00e9\"").hasSize(8);
        assertBytes(rawAt(body, "b"), "\"q\\\"uo\\\\te\\\\\"");
        assertBytes(rawAt(body, "c"), "\"http:\\/\\/x\"");
        assertBytes(rawAt(body, "d"), "\"a,]}\\\"[{\"");
        assertBytes(rawAt(body, "e"), "\"\\ud83d\\ude00\"");
        assertBytes(rawAt(body, "f"), "\"\"");
        // Raw UTF-8 in a string stays raw.
        assertBytes(rawAt("[\"Zo\u00eb \u5c71\u7530 \ud83d\ude00\"]", 0), "\"Zo\u00eb \u5c71\u7530 \ud83d\ude00\"");
    }

    @Test
    void numbersKeepTheirSpelling() throws Exception {
        String body = "{\"a\":1.50,\"b\":1e3,\"c\":-0,\"d\":1E+3,\"e\":0.10 ,\"f\":123456789012345678901234567890,\"g\":-2.5e-7\n,\"h\":[7,8.00]}";
        assertBytes(rawAt(body, "a"), "1.50");
        assertBytes(rawAt(body, "b"), "1e3");
        assertBytes(rawAt(body, "c"), "-0");
        assertBytes(rawAt(body, "d"), "1E+3");
        assertBytes(rawAt(body, "e"), "0.10");
        assertBytes(rawAt(body, "f"), "123456789012345678901234567890");
        assertBytes(rawAt(body, "g"), "-2.5e-7");
        assertBytes(rawAt(body, "h", 0), "7");
        assertBytes(rawAt(body, "h", 1), "8.00");
        assertBytes(rawAt("1.50\t", new Object[0]), "1.50");
        assertThat(rawAt(body, "a")).isNotEqualTo(RawJson.of("1.5"));
        assertThat(rawAt(body, "b")).isNotEqualTo(RawJson.of("1000"));
    }

    @Test
    void literalsAndOnlyTheNullLiteralIsNull() throws Exception {
        String body = "[true,false,null,\"null\", null ]";
        assertBytes(rawAt(body, 0), "true");
        assertBytes(rawAt(body, 1), "false");
        assertBytes(rawAt(body, 2), "null");
        assertBytes(rawAt(body, 4), "null");
        assertThat(rawAt(body, 2).isNull()).isTrue();
        assertThat(rawAt(body, 4).isNull()).isTrue();
        assertThat(rawAt(body, 0).isNull()).isFalse();
        assertThat(rawAt(body, 1).isNull()).isFalse();
        assertThat(rawAt(body, 3).isNull()).as("the string \"null\"").isFalse();
        assertThat(RawJson.of("null").isNull()).isTrue();
        assertThat(RawJson.of("{}").isNull()).isFalse();
        assertThat(RawJson.of("0").isNull()).isFalse();
    }

    @Test
    void multiByteTextBeforeAnElementCountsInBytesNotChars() throws Exception {
        // 2-, 3- and 4-byte characters (the last a surrogate pair in Java), in names and values before the element.
        String body = "{\"\u00e4\u20ac\ud83d\ude00\":\"\u00fc\u5c71\ud83d\ude00\u00e9\",\"x\":[1.50,\"\u00d8\"],\"y\":\"\\u00e9\",\"\u5c71\":true}";
        assertThat(utf8(body).length).isGreaterThan(body.length());
        assertBytes(rawAt(body, "\u00e4\u20ac\ud83d\ude00"), "\"\u00fc\u5c71\ud83d\ude00\u00e9\"");
        assertBytes(rawAt(body, "x"), "[1.50,\"\u00d8\"]");
        assertBytes(rawAt(body, "x", 0), "1.50");
        assertBytes(rawAt(body, "x", 1), "\"\u00d8\"");
        assertBytes(rawAt(body, "y"), "\"\\u00e9\"");
        assertBytes(rawAt(body, "\u5c71"), "true");
        assertThat(rawAt(body, "x", 1).length()).isEqualTo(4);
    }

    @Test
    void nestedElementsAreEachTheirOwnSlice() throws Exception {
        String body = "{\"a\":{\"b\":{\"c\":[{\"d\":[[],[1, {\"e\":\"\\\"}\"}]]}]}}}";
        assertBytes(rawAt(body, "a"), "{\"b\":{\"c\":[{\"d\":[[],[1, {\"e\":\"\\\"}\"}]]}]}}");
        assertBytes(rawAt(body, "a", "b"), "{\"c\":[{\"d\":[[],[1, {\"e\":\"\\\"}\"}]]}]}");
        assertBytes(rawAt(body, "a", "b", "c"), "[{\"d\":[[],[1, {\"e\":\"\\\"}\"}]]}]");
        assertBytes(rawAt(body, "a", "b", "c", 0, "d", 0), "[]");
        assertBytes(rawAt(body, "a", "b", "c", 0, "d", 1), "[1, {\"e\":\"\\\"}\"}]");
        assertBytes(rawAt(body, "a", "b", "c", 0, "d", 1, 1, "e"), "\"\\\"}\"");
    }

    @Test
    void recordsHandOutTheSameExactBytes() throws Exception {
        String body = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1,\"results\":{\"name\":\"Jos\\u00e9\", \"n\":1.50,\"multi\":[\"a\",\"\\u00f6\"],\"none\":null}},"
                + "\"timestamp\":\"2024-10-24T15:54:35+00:00\"}]}";
        Submission s = MauticPayloads.parse(utf8(body)).first(FormSubmitted.class).orElseThrow().submission();
        assertThat(s.results()).containsOnlyKeys("name", "n", "multi", "none");
        assertBytes(s.results().get("name"), "\"Jos\\u00e9\"");
        assertBytes(s.results().get("n"), "1.50");
        assertBytes(s.results().get("multi"), "[\"a\",\"\\u00f6\"]");
        assertBytes(s.results().get("none"), "null");
        assertThat(s.result("name")).contains("Jos\u00e9");
        assertThat(s.result("none")).isEmpty();

        String session = "{\"id\":\"s1\",\"label\":\"Done \u00e9\",\"started-at\":\"2024-03-01T09:00:00+00:00\",\"completed-at\":\"2024-03-01T09:05:00+00:00\","
                + "\"workflow\":{\"id\":\"w1\"},\"values\":[{\"id\":\"v1\",\"value\":\"\\u00e9t\\u00e9\"},{\"id\":\"v2\",\"value\": 2.50 },{\"id\":\"v3\"},{\"value\":null}]}";
        WorkflowSession w = MalcolmPayloads.parse(utf8(session), null);
        List<Value> values = w.values().orElseThrow();
        assertBytes(values.get(0).value(), "\"\\u00e9t\\u00e9\"");
        assertThat(values.get(0).asText()).contains("\u00e9t\u00e9");
        assertBytes(values.get(1).value(), "2.50");
        assertBytes(values.get(2).value(), "null");
        assertThat(values.get(2).isNull()).isTrue();
        assertBytes(values.get(3).value(), "null");
        assertBytes(values.get(1).raw(), "{\"id\":\"v2\",\"value\": 2.50 }");
        assertBytes(w.raw(), session);
    }

    @Test
    void ofTakesExactlyOneWellFormedValue() throws Exception {
        assertBytes(RawJson.of(" \n{\"a\" : [1, 2.50]}\t "), "{\"a\" : [1, 2.50]}");
        assertBytes(RawJson.of("\"\\u00e9\""), "\"\\u00e9\"");
        assertBytes(RawJson.of("1e3"), "1e3");
        assertBytes(RawJson.of("\"\u00e9\""), "\"\u00e9\"");
        for (String refused : List.of("1 2", "{} {}", "[1] [2]", "\"a\" \"b\"", "null null", "[1],", "{", "[1,]", "{\"a\":}", "nul",
                "[1]x", "'a'", "{a:1}", "01", "NaN", "\"unterminated", "]", "", "   ", "\n\t")) {
            assertThatThrownBy(() -> RawJson.of(refused)).as(refused).isInstanceOf(IllegalArgumentException.class);
        }
        // The message never quotes what was given.
        assertThatThrownBy(() -> RawJson.of("{\"secret-token-xyz\":}"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token-xyz"));
    }

    @Test
    void equalExactlyWhenTheBytesAre() {
        RawJson slice = rawAt("{\"pad\":\"\u00e9\u00e9\",\"a\":[1,2]}", "a");
        RawJson scalarSlice = rawAt("[\"x\",1.50]", 1);
        assertThat(slice).isEqualTo(RawJson.of("[1,2]")).isEqualTo(rawAt("[[1,2]]", 0)).isEqualTo(slice);
        assertThat(slice.hashCode()).isEqualTo(RawJson.of("[1,2]").hashCode()).isEqualTo(rawAt("[[1,2]]", 0).hashCode());
        assertThat(scalarSlice).isEqualTo(RawJson.of("1.50")).hasSameHashCodeAs(RawJson.of("1.50"));
        // The same value spelled differently is not the same raw JSON.
        assertThat(slice).isNotEqualTo(RawJson.of("[1, 2]")).isNotEqualTo(RawJson.of("[1,3]")).isNotEqualTo(RawJson.of("[1,2,3]"));
        assertThat(scalarSlice).isNotEqualTo(RawJson.of("1.5"));
        assertThat(RawJson.of("\"\\u00e9\"")).isNotEqualTo(RawJson.of("\"\u00e9\""));
        assertThat(slice).isNotEqualTo("[1,2]").isNotEqualTo(null);
    }

    @Test
    void bytesHandedOutAreCopiesOrReadOnly() throws Exception {
        RawJson raw = rawAt("{\"a\":[1,2],\"b\":3}", "a");
        byte[] copy = raw.toByteArray();
        copy[1] = '9';
        assertBytes(raw, "[1,2]");
        try (InputStream in = raw.openStream()) {
            assertThat(in.readAllBytes()).isEqualTo(utf8("[1,2]"));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    /**
     * RawJson is documented immutable, and handlers pass slices between threads. Its end is computed lazily into a
     * plain field; a thread that receives a slice through a data race may see that field at its default value, 0,
     * rather than what the constructor wrote (only final fields are guaranteed), just as with {@code String.hash}.
     * The lazy scan must take that value for "not yet known", else such a thread reads an empty or negative slice:
     * {@code json()} would be {@code ""}, which {@code @JsonRawValue} writes as nothing, breaking the JSON around it.
     */
    @Test
    void aSliceSeenWithItsLazyEndAtTheDefaultValueStillReadsTheWholeElement() throws Exception {
        java.lang.reflect.Field end = RawJson.class.getDeclaredField("end");
        end.setAccessible(true);
        RawJson atStart = rawAt("\"x\"", new Object[0]);
        RawJson inside = rawAt("[\"\u00e9\", 12.5E+3 ]", 1);
        for (RawJson raw : List.of(atStart, inside)) {
            end.setInt(raw, 0); // what a racing reader may observe of a scalar slice's not-yet-known end
        }
        assertBytes(atStart, "\"x\"");
        assertBytes(inside, "12.5E+3");
    }

    @Test
    void jacksonWritesTheValueItHoldsNotItsTextSoEveryFormatEscapesIt() throws Exception {
        RawJson raw = RawJson.of(" {\"a\": [1, 1.50, \"\\u00e9<x>\", null, true, 12345678901234567890], \"b\": {}} ");
        com.fasterxml.jackson.databind.ObjectMapper jackson2 = new com.fasterxml.jackson.databind.ObjectMapper();
        // valueToTree goes through Jackson's token buffer: a raw-text serialisation would arrive as one opaque blob.
        assertThat(jackson2.valueToTree(raw).toString()).isEqualTo(jackson2.readTree(raw.toByteArray()).toString());
        assertThat(jackson2.writeValueAsString(raw)).isEqualTo("{\"a\":[1,1.50,\"\u00e9<x>\",null,true,12345678901234567890],\"b\":{}}");
        tools.jackson.databind.json.JsonMapper jackson3 = tools.jackson.databind.json.JsonMapper.shared();
        assertThat(jackson3.valueToTree(raw).isObject()).as("a tree of values, not one raw blob").isTrue();
        assertThat(jackson3.readTree(jackson3.writeValueAsString(raw))).isEqualTo(jackson3.readTree(raw.toByteArray()));
        assertThat((Object) RawJson.of("null").toJavaObject()).isNull();
    }
}
