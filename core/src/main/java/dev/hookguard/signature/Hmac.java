package dev.hookguard.signature;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 keyed by a secret's UTF-8 bytes, as both senders key it. */
final class Hmac {

    static final String ALGORITHM = "HmacSHA256";

    private Hmac() {
    }

    static SecretKeySpec key(String secret) {
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    static Mac keyed(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    static void requireUsable(String secret, String what) {
        if (secret == null) {
            throw new IllegalArgumentException(what + " is not set (null): is the environment variable or property that should hold it set?");
        }
        if (secret.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty or blank");
        }
        if (secret.contains("${")) {
            // Spring and most config loaders keep an unresolved placeholder as literal text: a guessable secret.
            throw new IllegalArgumentException(what + " holds an unresolved placeholder (${...}): set the variable it names");
        }
    }
}
