package dev.hookguard.payload;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.testsupport.TestResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed bodies of many shapes give {@link PayloadParseException} and nothing else, from both parsers. */
class MalformedBodiesTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<Arguments> bodies() {
        List<Arguments> all = new ArrayList<>();
        byte[] form = TestResources.bytes("fixtures/mautic/form_on_submit.json");
        byte[] session = TestResources.bytes("fixtures/malcolm/session-example.json");
        all.add(Arguments.of("empty body", new byte[0]));
        all.add(Arguments.of("only whitespace", utf8("  \n\t ")));
        all.add(Arguments.of("truncated form fixture", Arrays.copyOf(form, form.length / 2)));
        all.add(Arguments.of("truncated session", Arrays.copyOf(session, session.length - 3)));
        all.add(Arguments.of("cut after a key", utf8("{\"mautic.form_on_submit\":")));
        all.add(Arguments.of("unclosed string", utf8("{\"id\":\"abc")));
        all.add(Arguments.of("trailing garbage", utf8("{\"id\":\"a\"} trailing")));
        all.add(Arguments.of("two documents", utf8("{\"id\":\"a\"}{\"id\":\"b\"}")));
        all.add(Arguments.of("trailing comma", utf8("{\"id\":\"a\",}")));
        all.add(Arguments.of("single quotes", utf8("{'id':'a'}")));
        all.add(Arguments.of("comment", utf8("{/*x*/\"id\":\"a\"}")));
        all.add(Arguments.of("NaN", utf8("{\"id\":NaN}")));
        all.add(Arguments.of("null", utf8("null")));
        all.add(Arguments.of("true", utf8("true")));
        all.add(Arguments.of("number", utf8("12345")));
        all.add(Arguments.of("string", utf8("\"hello\"")));
        all.add(Arguments.of("array of numbers", utf8("[1,2,3]")));
        all.add(Arguments.of("wrong type for event list", utf8("{\"mautic.form_on_submit\":\"x\",\"id\":[]}")));
        all.add(Arguments.of("wrong type for session id", utf8("{\"id\":[1],\"mautic.page_on_hit\":7}")));
        all.add(Arguments.of("deep nesting arrays", utf8("[".repeat(100_000))));
        all.add(Arguments.of("deep nesting objects", utf8("{\"id\":".repeat(50_000) + "1" + "}".repeat(50_000))));
        all.add(Arguments.of("deeply nested valid-looking event",
                utf8("{\"mautic.form_on_submit\":[{\"submission\":" + "{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000) + "}],\"id\":5}")));
        all.add(Arguments.of("huge number", utf8("{\"id\":" + "9".repeat(5_000) + "}")));
        all.add(Arguments.of("huge exponent", utf8("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":1e999999999}}],\"id\":1e999999999}")));
        all.add(Arguments.of("huge id in event", utf8("{\"mautic.form_on_submit\":[{\"submission\":{\"id\":123456789012345678901234567890}}],\"id\":{}}")));
        all.add(Arguments.of("invalid UTF-8 start byte", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}'}));
        all.add(Arguments.of("invalid UTF-8 continuation", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}));
        all.add(Arguments.of("truncated UTF-8 sequence", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xE2, (byte) 0x82}));
        all.add(Arguments.of("UTF-16 body", "{\"id\":\"a\"}".getBytes(StandardCharsets.UTF_16LE)));
        all.add(Arguments.of("UTF-32 body", "{\"id\":\"a\"}".getBytes(java.nio.charset.Charset.forName("UTF-32BE"))));
        all.add(Arguments.of("float as id", utf8("{\"id\":2.5,\"mautic.x\":1}")));
        // Well-formed but for the raw U+0001 inside the string, so the control character alone is what fails it.
        all.add(Arguments.of("bare control character", new byte[] {'{', '"', 'i', 'd', '"', ':', '"', 'a', 1, 'b', '"', '}'}));
        all.add(Arguments.of("bad escape", utf8("{\"id\":\"\\x41\"}")));
        all.add(Arguments.of("NUL bytes", new byte[64]));
        return all;
    }

    static Stream<Arguments> bodiesForBothParsers() {
        Consumer<byte[]> mautic = MauticPayloads::parse;
        Consumer<byte[]> malcolm = b -> MalcolmPayloads.parse(b, "inst");
        return bodies().stream().flatMap(a -> Stream.of(
                Arguments.of("mautic: " + a.get()[0], a.get()[1], mautic),
                Arguments.of("malcolm: " + a.get()[0], a.get()[1], malcolm)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodiesForBothParsers")
    void malformedBodyGivesTheParseExceptionAndNothingElse(String name, byte[] body, Consumer<byte[]> parser) {
        assertThatThrownBy(() -> parser.accept(body)).isExactlyInstanceOf(PayloadParseException.class);
    }

    @org.junit.jupiter.api.Test
    void aBareControlCharacterIsRefusedAsMalformedJsonNotForAnythingElse() {
        byte[] withControl = {'{', '"', 'i', 'd', '"', ':', '"', 'a', 1, 'b', '"', '}'};
        byte[] clean = {'{', '"', 'i', 'd', '"', ':', '"', 'a', 'x', 'b', '"', '}'};
        assertThatThrownBy(() -> MalcolmPayloads.parse(withControl, "inst")).hasMessageContaining("not well-formed JSON");
        assertThatThrownBy(() -> MalcolmPayloads.parse(clean, "inst")).isInstanceOf(PayloadParseException.class)
                .message().doesNotContain("not well-formed JSON");
    }
}
