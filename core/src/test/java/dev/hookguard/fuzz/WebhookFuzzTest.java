package dev.hookguard.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.internal.Json;
import dev.hookguard.internal.Node;
import dev.hookguard.internal.SameTree;
import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerificationException;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.WebhookSigner;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Fuzz targets. {@code mvn verify} runs each over its seed corpus ({@code WebhookFuzzTestInputs/<method>/} in
 * test resources) in regression mode; {@code JAZZER_FUZZ=1} fuzzes for real (see the README).
 */
class WebhookFuzzTest {

    private static final String SECRET = "fuzz-secret";
    private static final ObjectReader JACKSON = new ObjectMapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SignatureVerifier MAUTIC = SignatureVerifier.builder(SignatureScheme.MAUTIC).secret(SECRET).build();
    private static final SignatureVerifier MALCOLM = SignatureVerifier.builder(SignatureScheme.MALCOLM).secret(SECRET).build();
    private static final WebhookEndpoint<MauticBatch> MAUTIC_PIPELINE = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(64 * 1024)
            .onAny(batch -> batch.events().forEach(WebhookFuzzTest::touch)).build();
    private static final WebhookEndpoint<WorkflowSession> MALCOLM_PIPELINE = WebhookEndpoint.malcolm().secrets(SECRET).maxBodyBytes(64 * 1024)
            .onAny(WebhookFuzzTest::touch).build();
    private static final String[] METHODS = {"POST", "GET", "PUT", "post", "DELETE", "OPTIONS", "", "P\u00d6ST"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8", "text/plain",
        "application/problem+json", "", ";", "application/", "APPLICATION/JSON", "multipart/form-data; boundary=x"};

    /** Every typed accessor, so a parser that defers work cannot hide a crash. */
    private static void touch(Object payload) {
        if (payload instanceof MauticEvent e) {
            assertThat(e.type()).isNotNull();
            e.idempotencyKey().length();
            e.raw().length();
            String.valueOf(e);
        } else if (payload instanceof WorkflowSession s) {
            s.values().ifPresent(values -> values.forEach(v -> {
                v.asText();
                v.asLong();
                v.asDouble();
                v.asBoolean();
                v.asTextList();
            }));
            s.value("email");
            String.valueOf(s);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void signatureHeaderParsing(FuzzedDataProvider data) {
        boolean malcolm = data.consumeBoolean();
        String header = data.consumeString(200);
        byte[] body = data.consumeRemainingAsBytes();
        try {
            (malcolm ? MALCOLM : MAUTIC).verify(body, header);
            // Only the real signature may pass.
            assertThat(header.strip()).isEqualTo(WebhookSigner.sign(malcolm ? SignatureScheme.MALCOLM : SignatureScheme.MAUTIC, SECRET, body));
        } catch (SignatureVerificationException expected) {
            assertThat(expected.getMessage()).doesNotContain(SECRET);
        }
    }

    @FuzzTest(maxDuration = "3m")
    void mauticParser(byte[] body) {
        try {
            MauticBatch batch = MauticPayloads.parse(body);
            batch.events().forEach(WebhookFuzzTest::touch);
        } catch (PayloadParseException expected) {
            assertThat(expected.pointer()).isNotNull();
        }
    }

    /**
     * Differential: Hookguard's own tree reader must build the tree Jackson's {@code readTree} builds (structurally,
     * every element's raw bytes its exact span of the body), and refuse only what Jackson refuses (or what is not
     * UTF-8 JSON at all, which Hookguard refuses on purpose).
     */
    @FuzzTest(maxDuration = "3m")
    void treeReaderAgreesWithJackson(byte[] body) {
        JsonNode expected;
        try {
            expected = JACKSON.readTree(body);
        } catch (IOException refused) {
            expected = null;
        }
        boolean utf8 = body.length > 0;
        for (int i = 0; i < Math.min(4, body.length); i++) {
            utf8 &= body[i] != 0;
        }
        try {
            Node ours = Json.readTree(body);
            assertThat(utf8).isTrue();
            assertThat(expected).as("read what Jackson refuses").isNotNull();
            SameTree.assertSameTree(body, ours, expected);
        } catch (PayloadParseException refused) {
            assertThat(utf8 && expected != null && !expected.isMissingNode()).as("refused what Jackson reads").isFalse();
        }
    }

    @FuzzTest(maxDuration = "3m")
    void malcolmParser(byte[] body) {
        try {
            touch(MalcolmPayloads.parse(body, "fuzz000001"));
        } catch (PayloadParseException expected) {
            assertThat(expected.pointer()).isNotNull();
        }
    }

    @FuzzTest(maxDuration = "3m")
    void wholePipeline(FuzzedDataProvider data) {
        boolean malcolm = data.consumeBoolean();
        String method = data.pickValue(METHODS);
        Map<String, String> headers = new HashMap<>();
        if (data.consumeBoolean()) {
            headers.put("Content-Type", data.consumeBoolean() ? data.pickValue(CONTENT_TYPES) : data.consumeString(40));
        }
        boolean signProperly = data.consumeBoolean();
        String forgedHeader = data.consumeString(80);
        if (data.consumeBoolean()) {
            headers.put("X-Instance-Id", data.consumeString(20));
        }
        byte[] body = data.consumeRemainingAsBytes();
        SignatureScheme scheme = malcolm ? SignatureScheme.MALCOLM : SignatureScheme.MAUTIC;
        headers.put(scheme.headerName(), signProperly ? WebhookSigner.sign(scheme, SECRET, body) : forgedHeader);
        Delivery delivery = new Delivery(method, Headers.of(headers), body, "198.51.100.7");

        Outcome outcome = malcolm ? MALCOLM_PIPELINE.process(delivery) : MAUTIC_PIPELINE.process(delivery);

        assertThat(outcome.status()).isBetween(200, 499);
        String problem = new String(outcome.body(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(problem).doesNotContain(SECRET);
        if (!signProperly && outcome.isSuccess()) {
            // A forged header can only pass when it happens to be the real signature.
            assertThat(forgedHeader.strip()).isEqualTo(WebhookSigner.sign(scheme, SECRET, body));
        }
    }
}
