package dev.hookguard.signature;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs bodies exactly as Mautic and Malcolm! do, for tests and for the reference sender.
 *
 * <pre>{@code
 * String header = WebhookSigner.sign(SignatureScheme.MAUTIC, "my-secret", body);
 * request.header(SignatureScheme.MAUTIC.headerName(), header);
 * }</pre>
 */
public final class WebhookSigner {

    private WebhookSigner() {
    }

    /**
     * Returns the signature header value for {@code body}: the scheme's prefix and the base64 of
     * HMAC-SHA256 keyed by the secret's UTF-8 bytes.
     */
    public static String sign(SignatureScheme scheme, String secret, byte[] body) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(body, "body");
        Hmac.requireUsable(secret, "secret");
        return scheme.prefix() + Base64.getEncoder().encodeToString(Hmac.keyed(Hmac.key(secret)).doFinal(body));
    }

    /** Signs the UTF-8 bytes of {@code body}. */
    public static String sign(SignatureScheme scheme, String secret, String body) {
        return sign(scheme, secret, body.getBytes(StandardCharsets.UTF_8));
    }
}
