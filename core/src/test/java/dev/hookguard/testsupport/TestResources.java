package dev.hookguard.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hookguard.payload.RawJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the vectors and fixtures copied from {@code ../shared} into test resources. */
public final class TestResources {

    public static final ObjectMapper JSON = new ObjectMapper();

    private TestResources() {
    }

    public static byte[] bytes(String path) {
        try (InputStream in = TestResources.class.getResourceAsStream("/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String path) {
        try {
            return JSON.readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Raw JSON read back with Jackson 2, as a user would ({@code RawJson}'s documentation shows it). */
    public static JsonNode tree(RawJson raw) {
        try (InputStream in = raw.openStream()) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
