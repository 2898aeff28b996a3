package dev.hookguard.signature;

import java.util.Locale;

/**
 * How a sender signs its deliveries: which header carries the signature, what prefix precedes the base64
 * HMAC-SHA256 digest of the raw body, and which unauthenticated header names the sending tenant. Closed: each
 * scheme comes with the payload parser of its sender, so a scheme without one could be verified but never parsed.
 */
public enum SignatureScheme {

    /** Mautic 3.0 and later: {@code Webhook-Signature: base64(HMAC-SHA256(body, secret))}. */
    MAUTIC("mautic", "Webhook-Signature", "", "X-Origin-Base-URL"),

    /** Malcolm!: {@code X-Signature: sha256=base64(HMAC-SHA256(body, secret))}. */
    MALCOLM("malcolm", "X-Signature", "sha256=", "X-Instance-Id");

    /** HMAC-SHA256 digests are 32 bytes; anything else in the header is malformed. */
    static final int DIGEST_LENGTH = 32;

    private final String id;
    private final String headerName;
    private final String prefix;
    private final String tenantHeader;

    SignatureScheme(String id, String headerName, String prefix, String tenantHeader) {
        this.id = id;
        this.headerName = headerName;
        this.prefix = prefix;
        this.tenantHeader = tenantHeader;
    }

    /** The short name used in configuration, logs and metrics: {@code mautic} or {@code malcolm}. */
    public String id() {
        return id;
    }

    /** The header carrying the signature, e.g. {@code Webhook-Signature}. */
    public String headerName() {
        return headerName;
    }

    /** The text before the base64 digest: {@code ""} for Mautic, {@code "sha256="} for Malcolm!. */
    public String prefix() {
        return prefix;
    }

    /** The unauthenticated header naming the sending instance, used to pick secrets per tenant. */
    public String tenantHeader() {
        return tenantHeader;
    }

    /**
     * Looks a scheme up by its {@link #id()}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException when the name is neither {@code mautic} nor {@code malcolm}
     */
    public static SignatureScheme named(String name) {
        String wanted = String.valueOf(name).trim().toLowerCase(Locale.ROOT);
        for (SignatureScheme scheme : values()) {
            if (scheme.id.equals(wanted)) {
                return scheme;
            }
        }
        throw new IllegalArgumentException("unknown signature scheme '" + name + "': expected mautic or malcolm");
    }

    /** The {@link #id()}. */
    @Override
    public String toString() {
        return id;
    }
}
