package dev.hookguard.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.signature.SignatureVerificationException.Reason;
import dev.hookguard.testsupport.TestResources;
import java.util.Base64;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of the PHP-made vectors in {@code signatures.json}. */
class SignatureVectorsTest {

    static Stream<Arguments> cases() {
        JsonNode cases = TestResources.json("signatures.json").get("cases");
        return StreamSupport.stream(cases.spliterator(), false)
                .map(c -> Arguments.of(c.get("scheme").asText() + ":" + c.get("name").asText(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void verifierGivesTheVectorsAnswer(String name, JsonNode c) {
        SignatureScheme scheme = SignatureScheme.named(c.get("scheme").asText());
        assertThat(scheme.headerName()).isEqualTo(c.get("signature_header").asText());
        byte[] body = Base64.getDecoder().decode(c.get("body_base64").asText());
        String header = c.get("signature").isNull() ? null : c.get("signature").asText();
        SignatureVerifier verifier = SignatureVerifier.builder(scheme).secret(c.get("secret").asText()).build();

        assertThat(verifier.isValid(body, header, null)).as(c.get("note").asText()).isEqualTo(c.get("valid").asBoolean());
    }

    static Stream<Arguments> validCases() {
        return cases().filter(a -> ((JsonNode) a.get()[1]).get("valid").asBoolean());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCases")
    void signerReproducesEveryValidVector(String name, JsonNode c) {
        SignatureScheme scheme = SignatureScheme.named(c.get("scheme").asText());
        byte[] body = Base64.getDecoder().decode(c.get("body_base64").asText());
        assertThat(WebhookSigner.sign(scheme, c.get("secret").asText(), body)).isEqualTo(c.get("signature").asText());
    }

    @Test
    void reasonsOfTheInvalidVectorsAreTheDocumentedOnes() {
        JsonNode cases = TestResources.json("signatures.json").get("cases");
        for (JsonNode c : cases) {
            if (c.get("valid").asBoolean()) {
                continue;
            }
            SignatureScheme scheme = SignatureScheme.named(c.get("scheme").asText());
            byte[] body = Base64.getDecoder().decode(c.get("body_base64").asText());
            String header = c.get("signature").isNull() ? null : c.get("signature").asText();
            SignatureVerifier verifier = SignatureVerifier.builder(scheme).secret(c.get("secret").asText()).build();
            Reason expected = switch (c.get("name").asText()) {
                case "missing_signature", "empty_signature" -> Reason.MISSING;
                case "not_base64", "truncated_signature", "hex_instead_of_base64", "prefixed_signature",
                        "missing_prefix", "sha1_prefix" -> Reason.MALFORMED;
                default -> Reason.MISMATCH;
            };
            assertThatThrownBy(() -> verifier.verify(body, header))
                    .as(c.get("name").asText())
                    .isInstanceOfSatisfying(SignatureVerificationException.class, e -> assertThat(e.reason()).isEqualTo(expected));
        }
    }

    @Test
    void workedExampleOfSendersMdVerifies() {
        String body = "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":13,\"referer\":\"http:\\/\\/example.com\\/s\\/forms\\/preview\\/4\",\"results\":{\"name\":\"Jos\\u00e9\"}},\"timestamp\":\"2024-10-24T15:54:35+00:00\"}]}";
        String secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assertThat(WebhookSigner.sign(SignatureScheme.MAUTIC, secret, body)).isEqualTo("UGzH7aHa4S9HlwoqrDtaX9dQ+TItMxEV3svhMIDd4Gk=");
    }
}
