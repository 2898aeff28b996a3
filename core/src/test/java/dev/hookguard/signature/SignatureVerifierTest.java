package dev.hookguard.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.signature.SignatureVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SignatureVerifierTest {

    private static final Random RANDOM = new Random(20261122L);

    enum Scheme {
        MAUTIC(SignatureScheme.MAUTIC), MALCOLM(SignatureScheme.MALCOLM);

        final SignatureScheme scheme;

        Scheme(SignatureScheme scheme) {
            this.scheme = scheme;
        }
    }

    private static byte[] randomBody() {
        byte[] body = new byte[1 + RANDOM.nextInt(4096)];
        RANDOM.nextBytes(body);
        return body;
    }

    private static String randomSecret() {
        StringBuilder s = new StringBuilder();
        int length = 1 + RANDOM.nextInt(80);
        for (int i = 0; i < length; i++) {
            // Mix ASCII with characters of two, three and four UTF-8 bytes.
            int pick = RANDOM.nextInt(10);
            s.appendCodePoint(pick < 7 ? 33 + RANDOM.nextInt(94) : pick == 7 ? 0xE9 : pick == 8 ? 0x5C71 : 0x1F511);
        }
        return s.toString();
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void signThenVerifyHoldsForRandomBodiesAndSecrets(Scheme s) {
        for (int i = 0; i < 200; i++) {
            byte[] body = randomBody();
            String secret = randomSecret();
            String header = WebhookSigner.sign(s.scheme, secret, body);
            SignatureVerifier verifier = SignatureVerifier.builder(s.scheme).secret(secret).build();
            assertThatCode(() -> verifier.verify(body, header)).doesNotThrowAnyException();
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void anySingleFlippedBitOfTheBodyFails(Scheme s) {
        byte[] body = "{\"id\":\"abc\",\"label\":\"Completed by Jos\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        String header = WebhookSigner.sign(s.scheme, "secret-1", body);
        SignatureVerifier verifier = SignatureVerifier.builder(s.scheme).secret("secret-1").build();
        for (int bit = 0; bit < body.length * 8; bit++) {
            byte[] tampered = body.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(verifier.isValid(tampered, header, null)).as("bit %d", bit).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void anySingleChangedByteOfRandomBodiesFails(Scheme s) {
        for (int i = 0; i < 100; i++) {
            byte[] body = randomBody();
            String secret = randomSecret();
            String header = WebhookSigner.sign(s.scheme, secret, body);
            SignatureVerifier verifier = SignatureVerifier.builder(s.scheme).secret(secret).build();
            byte[] tampered = body.clone();
            int at = RANDOM.nextInt(body.length);
            tampered[at] = (byte) (tampered[at] + 1 + RANDOM.nextInt(255));
            assertThat(verifier.isValid(tampered, header, null)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void anySingleFlippedBitOfTheDigestFails(Scheme s) {
        byte[] body = randomBody();
        String header = WebhookSigner.sign(s.scheme, "k", body);
        byte[] digest = Base64.getDecoder().decode(header.substring(s.scheme.prefix().length()));
        SignatureVerifier verifier = SignatureVerifier.builder(s.scheme).secret("k").build();
        for (int bit = 0; bit < 256; bit++) {
            byte[] flipped = digest.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            String forged = s.scheme.prefix() + Base64.getEncoder().encodeToString(flipped);
            assertThatThrownBy(() -> verifier.verify(body, forged))
                    .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MISMATCH));
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void rotationAcceptsOldAndNewSecretAndNothingElse(Scheme s) {
        byte[] body = randomBody();
        SignatureVerifier rotating = SignatureVerifier.builder(s.scheme).secrets("old-secret", "new-secret").build();
        assertThat(rotating.isValid(body, WebhookSigner.sign(s.scheme, "old-secret", body), null)).isTrue();
        assertThat(rotating.isValid(body, WebhookSigner.sign(s.scheme, "new-secret", body), null)).isTrue();
        assertThat(rotating.isValid(body, WebhookSigner.sign(s.scheme, "other-secret", body), null)).isFalse();

        SignatureVerifier afterRotation = SignatureVerifier.builder(s.scheme).secret("new-secret").build();
        assertThat(afterRotation.isValid(body, WebhookSigner.sign(s.scheme, "old-secret", body), null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t", "   \n"})
    void blankSecretsAreRefusedWhenBuilding(String blank) {
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secret(blank))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be empty or blank");
    }

    @Test
    void nullSecretIsRefusedWhenBuilding() {
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MALCOLM).secret(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malcolm webhook secret");
    }

    @Test
    void aVerifierWithoutSecretsIsRefused() {
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no mautic webhook secret configured");
    }

    @Test
    void secretsAndResolverTogetherAreRefused() {
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secret("a").secretResolver(t -> List.of("b")).build())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void failureMessagesNeverContainTheSecretOrTheExpectedSignature() {
        String secret = "super-secret-value-1234567890";
        byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        String expected = WebhookSigner.sign(SignatureScheme.MALCOLM, secret, body);
        String expectedDigest = expected.substring("sha256=".length());
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MALCOLM).secret(secret).build();
        for (String forged : new String[] {null, "", "sha256=AAAA", "sha1=abc", WebhookSigner.sign(SignatureScheme.MALCOLM, "other", body), expectedDigest}) {
            assertThatThrownBy(() -> verifier.verify(body, forged))
                    .isInstanceOf(SignatureVerificationException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret).doesNotContain(expectedDigest).doesNotContain("{\"id\""));
        }
        assertThat(verifier.toString()).doesNotContain(secret);
    }

    @Test
    void signatureHeaderSurroundedByWhitespaceStillVerifies() {
        byte[] body = randomBody();
        String header = WebhookSigner.sign(SignatureScheme.MAUTIC, "k", body);
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC).secret("k").build();
        assertThat(verifier.isValid(body, "  " + header + " ", null)).isTrue();
    }

    @Test
    void resolverPicksSecretsPerTenant() {
        Map<String, List<String>> byInstance = Map.of("inst-aaaaa", List.of("secret-a"), "inst-bbbbb", List.of("secret-b1", "secret-b2"));
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MALCOLM)
                .secretResolver(tenant -> byInstance.getOrDefault(tenant, List.of()))
                .build();
        byte[] body = randomBody();
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MALCOLM, "secret-a", body), "inst-aaaaa")).isTrue();
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MALCOLM, "secret-b2", body), "inst-bbbbb")).isTrue();
        // A's secret does not verify a delivery that claims to be B's.
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MALCOLM, "secret-a", body), "inst-bbbbb")).isFalse();
    }

    @Test
    void unknownTenantIsRefusedWithItsOwnReason() {
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC)
                .secretResolver(tenant -> "https://mautic.example.com".equals(tenant) ? List.of("s") : List.of())
                .build();
        byte[] body = randomBody();
        assertThatThrownBy(() -> verifier.verify(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "s", body), "https://evil.example"))
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TENANT));
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "s", body), "https://mautic.example.com")).isTrue();
    }

    @Test
    void resolverReturningBlankSecretsDoesNotVerifyAnything() {
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC)
                .secretResolver(tenant -> new ArrayList<>(java.util.Arrays.asList("", " ", null)))
                .build();
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        // The HMAC of an empty key is what Mautic 3 and 4 send for a webhook without secret: never accept it.
        String emptyKeySignature = Base64.getEncoder().encodeToString(hmacWithEmptyKey(body));
        assertThatThrownBy(() -> verifier.verify(body, emptyKeySignature))
                .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TENANT));
    }

    private static byte[] hmacWithEmptyKey(byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(new byte[1], "HmacSHA256"));
            return mac.doFinal(body);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void schemesAreLookedUpByNameAndUnknownNamesAreRefused() {
        assertThat(SignatureScheme.named("Mautic")).isSameAs(SignatureScheme.MAUTIC);
        assertThat(SignatureScheme.named(" malcolm ")).isSameAs(SignatureScheme.MALCOLM);
        assertThatThrownBy(() -> SignatureScheme.named("github")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mautic or malcolm");
    }

    @Test
    void concurrentVerificationFromEightThreadsGivesOnlyRightAnswers() throws Exception {
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC).secrets("one", "two").build();
        List<byte[]> bodies = new ArrayList<>();
        List<String> good = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            byte[] body = randomBody();
            bodies.add(body);
            good.add(WebhookSigner.sign(SignatureScheme.MAUTIC, i % 2 == 0 ? "one" : "two", body));
        }
        AtomicInteger wrong = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                tasks.add(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 2_000; i++) {
                        int n = r.nextInt(bodies.size());
                        boolean forged = r.nextBoolean();
                        String header = forged ? good.get((n + 1) % bodies.size()) : good.get(n);
                        if (verifier.isValid(bodies.get(n), header, null) == forged) {
                            wrong.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).hasValue(0);
    }

    @Test
    void secretsFromAnEnvironmentVariableAreCommaSeparatedAndAnUnsetVariableIsNamed() {
        java.util.Map<String, String> env = java.util.Map.of("HOOKGUARD_MAUTIC_SECRETS", "old-secret-1 , new-secret-2", "BLANKS", "a,,b");
        SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC).secretsFromEnvironment("HOOKGUARD_MAUTIC_SECRETS", env::get).build();
        byte[] body = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "old-secret-1", body), null)).isTrue();
        assertThat(verifier.isValid(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "new-secret-2", body), null)).isTrue();
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secretsFromEnvironment("HOOKGUARD_UNSET", env::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOOKGUARD_UNSET").hasMessageContaining("not set");
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secretsFromEnvironment("BLANKS", env::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
    }
}
