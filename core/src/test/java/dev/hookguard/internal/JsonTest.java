package dev.hookguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hookguard reads bodies with its own tree reader: it must build the tree Jackson 2's readTree builds, structurally
 * (see {@link SameTree}), with every element's raw bytes its exact span of the body.
 */
class JsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    static Stream<Path> fixtures() throws Exception {
        Path root = Path.of(JsonTest.class.getResource("/fixtures").toURI());
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void readsEveryFixtureAsJacksonDoes(Path fixture) throws Exception {
        byte[] body = Files.readAllBytes(fixture);
        assertSameTree(body);
    }

    @Test
    void readsEveryKindOfValueAsJacksonDoes() throws Exception {
        for (String json : List.of("{}", "[]", "[[],{},[{}]]", "{\"a\":null,\"b\":true,\"c\":false,\"d\":\"\",\"e\":\"\\u00e9\\ud83d\\ude00\"}",
                "[0,-1,2147483647,2147483648,-9223372036854775808,9223372036854775808,123456789012345678901234567890]",
                "[0.5,-1e3,1E-7,1e308,1e999,-0.0,3.141592653589793]", "\"just text\"", "42", "null",
                "{\"dup\":1,\"other\":2,\"dup\":3}")) {
            assertSameTree(json.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void repeatedNamesKeepTheLastValueInPlaceOnBothSidesOfTheLinearLimit() throws Exception {
        for (int fields : new int[] {3, FieldMap.LINEAR_LIMIT - 1, FieldMap.LINEAR_LIMIT, FieldMap.LINEAR_LIMIT + 5}) {
            StringBuilder json = new StringBuilder("{");
            for (int i = 0; i < fields; i++) {
                json.append("\"f").append(i).append("\":").append(i).append(',');
            }
            // Repeats of the first and of the last name, one of them escaped, after every other field.
            json.append("\"f0\":\"again\",\"\\u0066").append(fields - 1).append("\":\"escaped\"}");
            byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
            assertSameTree(body);
            Node tree = Json.readTree(body);
            assertThat(tree.size()).isEqualTo(fields);
            assertThat(tree.get("f0").textValue()).isEqualTo("again");
            assertThat(tree.get("f0").raw().json()).isEqualTo("\"again\"");
            assertThat(tree.get("f" + (fields - 1)).textValue()).isEqualTo("escaped");
            assertThat(tree.properties().iterator().next().getKey()).isEqualTo("f0");
        }
    }

    @Test
    void readsRandomDocumentsAsJacksonDoes() throws Exception {
        Random random = new Random(5);
        for (int i = 0; i < 500; i++) {
            JsonNode value = randomValue(random, 0);
            assertSameTree(JACKSON.writeValueAsBytes(value));
            // Whitespace between tokens and multi-byte text, so byte offsets differ from char offsets.
            assertSameTree(JACKSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
        }
    }

    private static void assertSameTree(byte[] body) throws Exception {
        SameTree.assertSameTree(body, Json.readTree(body), JACKSON.readTree(body));
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = depth > 4 ? random.nextInt(5) : random.nextInt(7);
        switch (kind) {
            case 0:
                return JACKSON.getNodeFactory().textNode(Long.toString(random.nextLong(), 36)
                        + (random.nextBoolean() ? "" : "\u00e9\"\\\u00d8\ud83d\ude00\u5c71\n"));
            case 1:
                return JACKSON.getNodeFactory().numberNode(random.nextInt());
            case 2:
                return JACKSON.getNodeFactory().numberNode(random.nextLong());
            case 3:
                return JACKSON.getNodeFactory().numberNode(random.nextDouble() * 1e6);
            case 4:
                return random.nextBoolean() ? JACKSON.getNodeFactory().booleanNode(random.nextBoolean())
                        : JACKSON.getNodeFactory().nullNode();
            case 5: {
                var array = JACKSON.createArrayNode();
                for (int i = random.nextInt(6); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                return array;
            }
            default: {
                ObjectNode object = JACKSON.createObjectNode();
                for (int i = random.nextInt(FieldMap.LINEAR_LIMIT * 2); i > 0; i--) {
                    object.set("f" + random.nextInt(40), randomValue(random, depth + 1));
                }
                return object;
            }
        }
    }
}
