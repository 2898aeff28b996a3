package dev.hookguard.signature;

import java.util.Locale;
import java.util.Objects;

/**
 * How a sender signs its deliveries: which header carries the signature, what prefix precedes the base64
 * HMAC-SHA256 digest of the raw body, and which unauthenticated header names the sending tenant.
 *
 * @param name         short name, {@code mautic} or {@code malcolm}
 * @param headerName   the header carrying the signature, e.g. {@code Webhook-Signature}
 * @param prefix       text before the base64 digest ({@code ""} for Mautic, {@code "sha256="} for Malcolm!)
 * @param tenantHeader the header naming the sending instance, used to pick secrets per tenant
 */
public record SignatureScheme(String name, String headerName, String prefix, String tenantHeader) {

    /** Mautic 3.0 and later: {@code Webhook-Signature: base64(HMAC-SHA256(body, secret))}. */
    public static final SignatureScheme MAUTIC =
            new SignatureScheme("mautic", "Webhook-Signature", "", "X-Origin-Base-URL");

    /** Malcolm!: {@code X-Signature: sha256=base64(HMAC-SHA256(body, secret))}. */
    public static final SignatureScheme MALCOLM =
            new SignatureScheme("malcolm", "X-Signature", "sha256=", "X-Instance-Id");

    /** HMAC-SHA256 digests are 32 bytes; anything else in the header is malformed. */
    static final int DIGEST_LENGTH = 32;

    public SignatureScheme {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(headerName, "headerName");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(tenantHeader, "tenantHeader");
    }

    /**
     * Looks a built-in scheme up by name, ignoring case.
     *
     * @throws IllegalArgumentException when the name is neither {@code mautic} nor {@code malcolm}
     */
    public static SignatureScheme named(String name) {
        switch (String.valueOf(name).trim().toLowerCase(Locale.ROOT)) {
            case "mautic":
                return MAUTIC;
            case "malcolm":
                return MALCOLM;
            default:
                throw new IllegalArgumentException("unknown signature scheme '" + name + "': expected mautic or malcolm");
        }
    }
}
