package dev.hookguard.signature;

import dev.hookguard.signature.SignatureVerificationException.Reason;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a delivery's signature header over its raw body bytes, against every current secret, in
 * constant time. Immutable and safe to share between threads.
 *
 * <pre>{@code
 * SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC)
 *         .secret(System.getenv("MAUTIC_WEBHOOK_SECRET"))
 *         .build();
 * verifier.verify(rawBody, request.getHeader("Webhook-Signature"));   // throws when forged
 * }</pre>
 */
public final class SignatureVerifier {

    private final SignatureScheme scheme;
    private final List<SecretKeySpec> fixedKeys;
    private final SecretResolver resolver;
    /** A {@link Mac} is not thread-safe: each thread keeps its own, keyed once, with buffers for both digests. */
    private final ThreadLocal<PerThread> perThread;

    private static final class PerThread {
        final Mac[] macs;
        final byte[] claimed = new byte[SignatureScheme.DIGEST_LENGTH];
        final byte[] computed = new byte[SignatureScheme.DIGEST_LENGTH];

        PerThread(Mac[] macs) {
            this.macs = macs;
        }
    }

    private SignatureVerifier(Builder builder) {
        this.scheme = builder.scheme;
        this.resolver = builder.resolver;
        List<SecretKeySpec> keys = new ArrayList<>(builder.secrets.size());
        for (String secret : builder.secrets) {
            keys.add(Hmac.key(secret));
        }
        this.fixedKeys = List.copyOf(keys);
        this.perThread = ThreadLocal.withInitial(() -> {
            Mac[] macs = new Mac[fixedKeys.size()];
            for (int i = 0; i < macs.length; i++) {
                macs[i] = Hmac.keyed(fixedKeys.get(i));
            }
            return new PerThread(macs);
        });
    }

    /** Starts a verifier for one scheme; give it secrets or a resolver. */
    public static Builder builder(SignatureScheme scheme) {
        return new Builder(scheme);
    }

    /** The scheme this verifier checks. */
    public SignatureScheme scheme() {
        return scheme;
    }

    /**
     * Verifies {@code signatureHeader} over {@code body} with the fixed secrets.
     *
     * @throws SignatureVerificationException when the header is missing, malformed or matches no secret
     */
    public Verification verify(byte[] body, String signatureHeader) {
        return verify(body, signatureHeader, null);
    }

    /**
     * Verifies {@code signatureHeader} over {@code body}; {@code tenantHeader} (the scheme's
     * {@link SignatureScheme#tenantHeader()} value) picks the secrets when a resolver is set, and a delivery
     * without it is refused before the resolver runs.
     *
     * @return what the signature proved: under a resolver, the tenant whose secrets verified the body
     * @throws SignatureVerificationException when the header is missing, malformed or matches no secret
     * @throws RuntimeException               whatever the resolver threw: a failure to look secrets up, not a forgery
     */
    public Verification verify(byte[] body, String signatureHeader, String tenantHeader) {
        Objects.requireNonNull(body, "body");
        PerThread buffers = perThread.get();
        byte[] claimed = decode(signatureHeader, buffers.claimed);
        if (resolver == null) {
            if (!matchesFixed(body, claimed, buffers)) {
                throw mismatch();
            }
            return Verification.SINGLE_SENDER;
        }
        return matchesResolved(body, claimed.clone(), tenantHeader);
    }

    private SignatureVerificationException mismatch() {
        return new SignatureVerificationException(Reason.MISMATCH, scheme.headerName() + " does not match the body for any current secret");
    }

    /** Like {@link #verify(byte[], String, String)}, answering instead of throwing. */
    public boolean isValid(byte[] body, String signatureHeader, String tenantHeader) {
        try {
            verify(body, signatureHeader, tenantHeader);
            return true;
        } catch (SignatureVerificationException e) {
            return false;
        }
    }

    /** The header's digest, in {@code buffer} when the header is in its canonical form. */
    private byte[] decode(String header, byte[] buffer) {
        if (header == null || header.isBlank()) {
            throw new SignatureVerificationException(Reason.MISSING, scheme.headerName() + " header is missing or empty");
        }
        if (Base64Digest.decode(header, scheme.prefix(), buffer)) {
            return buffer;
        }
        String value = header.strip();
        String prefix = scheme.prefix();
        if (!value.startsWith(prefix)) {
            throw malformed(prefix.isEmpty() ? "" : " (expected the prefix " + prefix + ")");
        }
        byte[] digest;
        try {
            digest = Base64.getDecoder().decode(value.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            throw malformed(" (not base64)");
        }
        if (digest.length != SignatureScheme.DIGEST_LENGTH) {
            throw malformed(" (not a base64 HMAC-SHA256 digest)");
        }
        return digest;
    }

    private SignatureVerificationException malformed(String detail) {
        return new SignatureVerificationException(Reason.MALFORMED, scheme.headerName() + " header is malformed" + detail);
    }

    private boolean matchesFixed(byte[] body, byte[] claimed, PerThread buffers) {
        Mac[] macs = buffers.macs;
        byte[] computed = buffers.computed;
        boolean matched = false;
        // Every secret is tried, even after a match, so timing does not tell which one matched.
        for (Mac mac : macs) {
            matched |= matches(mac, body, claimed, computed);
        }
        return matched;
    }

    /** Copies, not per-thread buffers: the resolver is the user's code and may itself verify on this thread. */
    private Verification matchesResolved(byte[] body, byte[] claimed, String tenant) {
        if (tenant == null || tenant.isBlank()) {
            // Before the resolver: user code never sees a null tenant.
            throw new SignatureVerificationException(Reason.UNKNOWN_TENANT, scheme.tenantHeader() + " header is missing or empty");
        }
        List<String> secrets = resolver.secretsFor(tenant.strip());
        byte[] computed = new byte[SignatureScheme.DIGEST_LENGTH];
        boolean matched = false;
        java.util.TreeSet<String> usable = new java.util.TreeSet<>();
        if (secrets != null) {
            for (String secret : secrets) {
                if (secret == null || secret.isBlank()) {
                    continue;
                }
                usable.add(secret);
                matched |= matches(Hmac.keyed(Hmac.key(secret)), body, claimed, computed);
            }
        }
        if (usable.isEmpty()) {
            throw new SignatureVerificationException(Reason.UNKNOWN_TENANT,
                    "no secret is configured for the sender named in " + scheme.tenantHeader());
        }
        if (!matched) {
            throw mismatch();
        }
        return new Verification(java.util.Optional.of(tenantIdentity(usable)));
    }

    /**
     * The tenant as the secrets know it: a digest of the sorted secrets the resolver gave. Header values that
     * resolve to the same secrets are one tenant; tenants with different secrets never share keys.
     */
    private static String tenantIdentity(java.util.SortedSet<String> secrets) {
        java.security.MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
        sha.update("hookguard tenant".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (String secret : secrets) {
            sha.update((byte) 0);
            sha.update(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return "t" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    private static boolean matches(Mac mac, byte[] body, byte[] claimed, byte[] computed) {
        mac.update(body);
        try {
            mac.doFinal(computed, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        return MessageDigest.isEqual(computed, claimed);
    }

    @Override
    public String toString() {
        // Never the secrets.
        return "SignatureVerifier[" + scheme.id() + ", "
                + (resolver == null ? fixedKeys.size() + " secret(s)" : "resolver") + "]";
    }

    /** Builds a {@link SignatureVerifier}. Either secrets or a resolver, not both. */
    public static final class Builder {
        private final SignatureScheme scheme;
        private final List<String> secrets = new ArrayList<>();
        private SecretResolver resolver;

        private Builder(SignatureScheme scheme) {
            this.scheme = Objects.requireNonNull(scheme, "scheme");
        }

        /** Adds a current secret; add several while rotating. Refuses empty or blank secrets. */
        public Builder secret(String secret) {
            Hmac.requireUsable(secret, scheme.id() + " webhook secret");
            secrets.add(secret);
            return this;
        }

        /** Adds every secret of {@code all}, as {@link #secret(String)} does. */
        public Builder secrets(Iterable<String> all) {
            if (all == null) {
                throw new IllegalArgumentException(scheme.id() + " webhook secrets are not set (null): is the environment variable or property that should hold them set?");
            }
            all.forEach(this::secret);
            return this;
        }

        /** Adds every secret given, as {@link #secret(String)} does; {@code secrets(System.getenv("X"))} with X unset is refused clearly. */
        public Builder secrets(String... all) {
            if (all == null) {
                return secrets((Iterable<String>) null);
            }
            for (String secret : all) {
                secret(secret);
            }
            return this;
        }

        /**
         * Adds the comma-separated secrets of an environment variable, {@code HOOKGUARD_MAUTIC_SECRETS} or
         * {@code HOOKGUARD_MALCOLM_SECRETS} by convention (the names the Spring Boot starter reads too).
         *
         * @throws IllegalArgumentException naming the variable when it is unset, blank or holds a blank secret
         */
        public Builder secretsFromEnvironment(String variable) {
            return secretsFromEnvironment(variable, System::getenv);
        }

        Builder secretsFromEnvironment(String variable, java.util.function.UnaryOperator<String> environment) {
            String value = environment.apply(Objects.requireNonNull(variable, "variable"));
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("the environment variable " + variable + " is not set: it should hold the "
                        + scheme.id() + " webhook secrets, comma-separated");
            }
            for (String secret : value.split(",", -1)) {
                if (secret.isBlank()) {
                    throw new IllegalArgumentException("the environment variable " + variable + " holds a blank secret");
                }
                secret(secret.strip());
            }
            return this;
        }

        /** Picks secrets per delivery from the tenant header instead of a fixed list. */
        public Builder secretResolver(SecretResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * @throws IllegalStateException when neither secrets nor a resolver were given, or both were
         */
        public SignatureVerifier build() {
            if (resolver == null && secrets.isEmpty()) {
                throw new IllegalStateException("no " + scheme.id() + " webhook secret configured: give at least one secret or a resolver");
            }
            if (resolver != null && !secrets.isEmpty()) {
                throw new IllegalStateException("give either fixed secrets or a secret resolver, not both");
            }
            return new SignatureVerifier(this);
        }
    }
}
