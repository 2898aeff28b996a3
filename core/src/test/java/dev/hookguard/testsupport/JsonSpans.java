package dev.hookguard.testsupport;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The exact bytes of one element of a JSON body, found with Jackson 2's own streaming parser and byte offsets: an
 * oracle for Hookguard's raw JSON that shares none of its span code.
 */
public final class JsonSpans {

    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonSpans() {
    }

    /** The element at {@code pointer} (RFC 6901; {@code ""} for the whole value) as UTF-8 text, exactly as in {@code body}. */
    public static String text(byte[] body, String pointer) {
        return new String(bytes(body, pointer), StandardCharsets.UTF_8);
    }

    /** Like {@link #text}, for a body held as a string. */
    public static String text(String body, String pointer) {
        return text(body.getBytes(StandardCharsets.UTF_8), pointer);
    }

    public static byte[] bytes(byte[] body, String pointer) {
        JsonPointer target = JsonPointer.compile(pointer);
        try (JsonParser parser = FACTORY.createParser(body)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME || token.isStructEnd()) {
                    continue;
                }
                if (!parser.getParsingContext().pathAsPointer().equals(target)) {
                    continue;
                }
                int start = (int) parser.currentTokenLocation().getByteOffset();
                if (token.isStructStart()) {
                    parser.skipChildren();
                } else {
                    parser.getText(); // finishes a lazily read string
                }
                int end = (int) parser.currentLocation().getByteOffset();
                // A scalar at the root may have had the whitespace after it read too.
                while (end > start && isWhitespace(body[end - 1])) {
                    end--;
                }
                return Arrays.copyOfRange(body, start, end);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no element at " + pointer);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
