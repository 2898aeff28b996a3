package dev.hookguard.sender;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs as the senders do: base64 of HMAC-SHA256 over the body, keyed by the secret's UTF-8 bytes; Malcolm!
 * prefixes {@code sha256=}. Written apart from core's verifier on purpose: a sender that borrowed the receiver's
 * code would agree with it even where both were wrong (the PHP vectors check both).
 */
final class Signing {

    private Signing() {
    }

    static String mautic(String secret, byte[] body) {
        return hmacBase64(secret, body);
    }

    static String malcolm(String secret, byte[] body) {
        return "sha256=" + hmacBase64(secret, body);
    }

    private static String hmacBase64(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
