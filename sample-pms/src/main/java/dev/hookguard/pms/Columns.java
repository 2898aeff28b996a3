package dev.hookguard.pms;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Values made to fit their column, so that a poison delivery (a 600-character form name, a 1000-digit id) is
 * stored instead of failing on every retry. Text is cut with a visible marker; keys are hashed, deterministically,
 * so that a redelivery still finds the row.
 */
final class Columns {

    static final int TITLE = 500;
    static final int REPORTER = 320;
    static final int KEY = 255;
    static final int EVENT_TYPE = 120;
    static final String MARKER = "…";

    private Columns() {
    }

    /** The text, or its first {@code max - 1} characters followed by "…". */
    static String text(String value, int max) {
        if (value == null || value.length() <= max) {
            return value;
        }
        int end = max - MARKER.length();
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        return value.substring(0, end) + MARKER;
    }

    /** The key, or {@code sha256:<hex>} of it when it is longer than the column. */
    static String key(String key) {
        if (key == null || key.length() <= KEY) {
            return key;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
