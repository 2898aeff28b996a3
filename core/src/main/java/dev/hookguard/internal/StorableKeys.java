package dev.hookguard.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Idempotency keys every database can store as they are. A key holds text the sender chose (a session id, an event's
 * natural id or type); PostgreSQL's text types refuse a NUL character, and UTF-8 cannot encode an unpaired surrogate
 * (the driver would write {@code ?} in its place, so two different keys would meet as one). Such text is replaced by a
 * digest of its UTF-16 code units: still one key per distinct text, and storable.
 */
public final class StorableKeys {

    private StorableKeys() {
    }

    /** Whether every database column holds {@code text} as it is: no NUL, no unpaired surrogate. */
    public static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} itself when {@link #storable}, else {@code sha256:} and the hex SHA-256 of its UTF-16 code units. */
    public static String storableOrDigest(String text) {
        if (storable(text)) {
            return text;
        }
        // The code units themselves: any charset encoder replaces an unpaired surrogate, and two texts would meet as one.
        byte[] units = new byte[text.length() * 2];
        for (int i = 0; i < text.length(); i++) {
            units[2 * i] = (byte) (text.charAt(i) >>> 8);
            units[2 * i + 1] = (byte) text.charAt(i);
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(units));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
