package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookEndpointTest {

    private static final String SECRET = "pipeline-secret-0123456789";

    private static Delivery mauticDelivery(byte[] body, String signature, String contentType) {
        Map<String, String> headers = new HashMap<>();
        if (signature != null) {
            headers.put("webhook-signature", signature);
        }
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        return new Delivery("POST", Headers.of(headers), body, "10.0.0.7");
    }

    private static Delivery signedMautic(byte[] body) {
        return mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body), "application/json");
    }

    private static byte[] formBody(int seq) {
        return MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", seq)));
    }

    private static WebhookEndpoint<MauticBatch> mautic(List<MauticBatch> handled) {
        return WebhookEndpoint.mautic().secrets(SECRET).onAny(handled::add).build();
    }

    @Test
    void verifiedDeliveryIsHandledAndAnswered200WithoutBody() {
        List<MauticBatch> handled = new ArrayList<>();
        Outcome outcome = mautic(handled).process(signedMautic(formBody(1)));
        assertThat(outcome.status()).isEqualTo(200);
        assertThat(outcome.body()).isEmpty();
        assertThat(handled).hasSize(1);
        assertThat(handled.get(0).eventsOf(FormSubmitted.class)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE", "HEAD", "PATCH"})
    void otherMethodsAre405WithAllowPost(String method) {
        List<MauticBatch> handled = new ArrayList<>();
        Delivery d = signedMautic(formBody(1));
        Outcome outcome = mautic(handled).process(new Delivery(method, d.headers(), d.body(), null));
        assertThat(outcome.status()).isEqualTo(405);
        assertThat(outcome.headers()).containsEntry("Allow", "POST");
        assertThat(handled).isEmpty();
    }

    /** The content-type rule read in place agrees with the plain rule (strip, lower-case, compare) on awkward input. */
    @Test
    void contentTypeRuleAgreesWithStripLowerCaseAndCompare() {
        java.util.function.Predicate<String> plainRule = contentType -> {
            int semicolon = contentType.indexOf(';');
            String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(java.util.Locale.ROOT);
            return type.equals("application/json") || type.startsWith("application/") && type.endsWith("+json");
        };
        List<String> cases = new java.util.ArrayList<>(List.of("application/json", " Application/JSON ;charset=utf-8", "application/+json",
                "application/json+", "application/vnd.api+json", "application/jſon", "appl\u0130cation/json", "application/js\u212Aon",
                "\tapplication/problem+JSON\u2003", "application/json\u00a0", "application/jsonx", "application", "", ";", " ; application/json",
                "text/json", "application/x+json;q=1", "APPLICATION/+JSON"));
        java.util.Random random = new java.util.Random(7);
        String alphabet = "applicationjsonAPLJSON/+; \t\u2003\u0130\u017f\u212a";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(random.nextBoolean() ? "application/" : "");
            for (int n = random.nextInt(8); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            b.append(random.nextBoolean() ? "json" : "+json");
            for (int n = random.nextInt(3); n > 0; n--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            cases.add(b.toString());
        }
        for (String contentType : cases) {
            assertThat(RequestChecks.isJson(contentType)).as("%s", contentType).isEqualTo(plainRule.test(contentType));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json"})
    void nonJsonContentTypesAre415(String contentType) {
        byte[] body = formBody(1);
        Outcome outcome = mautic(new ArrayList<>()).process(mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body), contentType));
        assertThat(outcome.status()).isEqualTo(415);
        assertThat(outcome.contentType()).isEqualTo("application/problem+json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json"})
    void jsonContentTypesAndNoContentTypeAreAccepted(String contentType) {
        byte[] body = formBody(1);
        assertThat(mautic(new ArrayList<>()).process(mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body), contentType)).status())
                .isEqualTo(200);
        assertThat(mautic(new ArrayList<>()).process(mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body), null)).status())
                .isEqualTo(200);
    }

    @Test
    void bodyOverTheLimitIs413() {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(100).onAny(b -> { }).build();
        Outcome outcome = pipeline.process(signedMautic(formBody(1)));
        assertThat(outcome.status()).isEqualTo(413);
        assertThat(outcome.problem().orElseThrow().detail()).contains("100 bytes");
    }

    @Test
    void unsignedForgedAndMalformedSignaturesAre401WithTheirReasonCode() {
        byte[] body = formBody(1);
        WebhookEndpoint<MauticBatch> pipeline = mautic(new ArrayList<>());
        assertThat(pipeline.process(mauticDelivery(body, null, "application/json")).problem().orElseThrow().code()).isEqualTo("signature_missing");
        assertThat(pipeline.process(mauticDelivery(body, "", "application/json")).problem().orElseThrow().code()).isEqualTo("signature_missing");
        assertThat(pipeline.process(mauticDelivery(body, "!!!", "application/json")).problem().orElseThrow().code()).isEqualTo("signature_malformed");
        Outcome forged = pipeline.process(mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "other", body), "application/json"));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.problem().orElseThrow().code()).isEqualTo("signature_mismatch");
    }

    @Test
    void signedButNotAPayloadOfThisSenderIs400() {
        byte[] malcolmBody = MalcolmSender.body(SampleEvents.malcolmSession(1, true));
        Outcome outcome = mautic(new ArrayList<>()).process(signedMautic(malcolmBody));
        assertThat(outcome.status()).isEqualTo(400);
        assertThat(outcome.problem().orElseThrow().detail()).contains("at /id");
    }

    @Test
    void finishedDuplicateIs200AndNotHandledAgain() {
        List<MauticBatch> handled = new ArrayList<>();
        WebhookEndpoint<MauticBatch> pipeline = mautic(handled);
        assertThat(pipeline.process(signedMautic(formBody(1))).status()).isEqualTo(200);
        assertThat(pipeline.process(signedMautic(formBody(1))).status()).isEqualTo(200);
        assertThat(handled).hasSize(1);
    }

    @Test
    void failedHandlerGives500WithoutExceptionTextAndReleasesTheKey() {
        AtomicInteger calls = new AtomicInteger();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("database password is hunter2");
            }
        }).build();
        Outcome failed = pipeline.process(signedMautic(formBody(1)));
        assertThat(failed.status()).isEqualTo(500);
        assertThat(new String(failed.body(), StandardCharsets.UTF_8)).doesNotContain("hunter2").doesNotContain("IllegalState");
        assertThat(pipeline.process(signedMautic(formBody(1))).status()).isEqualTo(200);
        assertThat(calls).hasValue(2);
    }

    @Test
    void duplicateWhileTheFirstIsBeingHandledIs409WithRetryAfter() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).retryAfterSeconds(7).onAny(b -> {
            inHandler.countDown();
            release.await(10, TimeUnit.SECONDS);
        }).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> first = pool.submit(() -> pipeline.process(signedMautic(formBody(1))));
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            Outcome second = pipeline.process(signedMautic(formBody(1)));
            assertThat(second.status()).isEqualTo(409);
            assertThat(second.headers()).containsEntry("Retry-After", "7");
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void queueBatchWithSomeEventsHandledBeforeHandsOnlyTheNewOnes() {
        List<MauticBatch> handled = new ArrayList<>();
        WebhookEndpoint<MauticBatch> pipeline = mautic(handled);
        pipeline.process(signedMautic(MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 1, 3))));
        pipeline.process(signedMautic(MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 2, 4))));
        assertThat(handled).hasSize(2);
        assertThat(handled.get(1).eventsOf(FormSubmitted.class)).extracting(e -> e.submission().id()).containsExactly(Optional.of(20_004L), Optional.of(20_005L));
    }

    @Test
    void malcolmPipelineParsesTheSessionWithItsInstance() {
        List<WorkflowSession> handled = new ArrayList<>();
        WebhookEndpoint<WorkflowSession> pipeline = WebhookEndpoint.malcolm().secrets(SECRET).onAny(handled::add).build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(5, true));
        Delivery d = new Delivery("POST", Headers.of(Map.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, SECRET, body),
                "X-Instance-Id", "abcdefghij", "Content-Type", "application/json")), body, null);
        assertThat(pipeline.process(d).status()).isEqualTo(200);
        assertThat(pipeline.process(d).status()).isEqualTo(200);
        assertThat(handled).hasSize(1);
        assertThat(handled.get(0).instanceId()).contains("abcdefghij");
        // A Mautic signature header does not verify a Malcolm! endpoint.
        Delivery wrongScheme = new Delivery("POST", Headers.of(Map.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body))), body, null);
        assertThat(pipeline.process(wrongScheme).status()).isEqualTo(401);
    }

    @Test
    void noOutcomeEverContainsTheBodySecretOrExpectedSignature() {
        byte[] body = formBody(3);
        String expected = WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body);
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(body.length).onAny(b -> {
            throw new RuntimeException(new String(body, StandardCharsets.UTF_8));
        }).build();
        List<Outcome> outcomes = List.of(
                pipeline.process(mauticDelivery(body, "AAAA" + expected.substring(4), "application/json")),
                pipeline.process(mauticDelivery(body, expected, "text/plain")),
                pipeline.process(mauticDelivery(body, expected, "application/json")),
                pipeline.process(signedMautic("{\"id\":\"s3cr3t-value\"}".getBytes(StandardCharsets.UTF_8))));
        for (Outcome o : outcomes) {
            String text = new String(o.body(), StandardCharsets.UTF_8);
            assertThat(text).doesNotContain(SECRET).doesNotContain(expected).doesNotContain(expected.substring(4, 30))
                    .doesNotContain("submission").doesNotContain("s3cr3t-value");
        }
        assertThat(outcomes).extracting(Outcome::status).containsExactly(401, 415, 500, 400);
    }

    @Test
    void incomingRequestBodyIsReadNoFurtherThanTheLimitPlusOne() {
        AtomicInteger read = new AtomicInteger();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return '{';
            }
        };
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(1000).build();
        Admission<MauticBatch> admission = pipeline.admit(request("POST", -1, endless));
        assertThat(admission.outcome().orElseThrow().status()).isEqualTo(413);
        assertThat(read.get()).isLessThanOrEqualTo(1001);
    }

    @Test
    void declaredLengthOverTheLimitIsRefusedWithoutReading() {
        AtomicInteger read = new AtomicInteger();
        InputStream counting = new InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return -1;
            }
        };
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(1000).build();
        assertThat(pipeline.admit(request("POST", 5000, counting)).outcome().orElseThrow().status()).isEqualTo(413);
        assertThat(read).hasValue(0);
    }

    @Test
    void bodyExactlyAtTheLimitIsRead() {
        byte[] body = formBody(2);
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).maxBodyBytes(body.length).onAny(b -> { }).build();
        IncomingRequest request = new IncomingRequest() {
            public String method() { return "POST"; }
            public String header(String name) {
                return name.equalsIgnoreCase("Webhook-Signature") ? WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body) : null;
            }
            public long contentLength() { return -1; }
            public InputStream body() { return new ByteArrayInputStream(body); }
            public String remoteAddress() { return null; }
        };
        assertThat(pipeline.process(request).status()).isEqualTo(200);
    }

    @Test
    void unreadableBodyIs400() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }
        };
        assertThat(WebhookEndpoint.mautic().secrets(SECRET).build().admit(request("POST", -1, broken)).outcome().orElseThrow().status()).isEqualTo(400);
    }

    private static IncomingRequest request(String method, long length, InputStream body) {
        return new IncomingRequest() {
            public String method() { return method; }
            public String header(String name) { return null; }
            public long contentLength() { return length; }
            public InputStream body() { return body; }
            public String remoteAddress() { return "192.0.2.1"; }
        };
    }

    @Test
    void normalDeliveriesLogNothingAndRefusalsLogTheReasonAndPeerOnly() {
        Logger logger = Logger.getLogger(WebhookEndpoint.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        logger.addHandler(capture);
        try {
            WebhookEndpoint<MauticBatch> pipeline = mautic(new ArrayList<>());
            pipeline.process(signedMautic(formBody(9)));
            assertThat(records).isEmpty();
            byte[] body = formBody(10);
            pipeline.process(mauticDelivery(body, WebhookSigner.sign(SignatureScheme.MAUTIC, "wrong", body), "application/json"));
            assertThat(records).hasSize(1);
            String message = records.get(0).getMessage();
            assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(message).contains("10.0.0.7").contains("401").contains("signature_mismatch")
                    .doesNotContain(SECRET).doesNotContain("submission").doesNotContain(WebhookSigner.sign(SignatureScheme.MAUTIC, SECRET, body));
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void aFailingHandlerIsLoggedWithItsTraceNeverWithItsMessage() {
        Logger logger = Logger.getLogger(WebhookEndpoint.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        logger.addHandler(capture);
        try {
            WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> {
                // What a JDBC driver does: quote the offending value.
                throw new IllegalStateException("insert failed", new java.sql.SQLException("Value too long: 'carol@secret.example'", "22001"));
            }).build();
            Outcome outcome = pipeline.process(signedMautic(formBody(31)));
            assertThat(outcome.status()).isEqualTo(500);
            assertThat(records).hasSize(1);
            java.io.StringWriter trace = new java.io.StringWriter();
            records.get(0).getThrown().printStackTrace(new java.io.PrintWriter(trace));
            assertThat(records.get(0).getMessage() + trace).contains("IllegalStateException").contains("SQLState 22001")
                    .doesNotContain("carol@secret.example").doesNotContain("insert failed");
            assertThat(new String(outcome.body(), StandardCharsets.UTF_8)).doesNotContain("insert failed");
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void listenersHearEveryOutcomeWithHandlingTime() {
        List<String> heard = new CopyOnWriteArrayList<>();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(b -> { })
                .listener((scheme, status, code, nanos) -> heard.add(scheme.id() + " " + status + " " + code + " " + (nanos >= 0)))
                .build();
        pipeline.process(signedMautic(formBody(1)));
        pipeline.process(signedMautic(formBody(1)));
        pipeline.process(mauticDelivery(formBody(2), "AAAA", "application/json"));
        assertThat(heard).containsExactly("mautic 200 handled true", "mautic 200 duplicate false", "mautic 401 signature_malformed false");
    }

    @Test
    void pipelineWithoutSecretsCannotBeBuilt() {
        assertThatThrownBy(() -> WebhookEndpoint.mautic().build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("no mautic webhook secret");
        assertThatThrownBy(() -> WebhookEndpoint.malcolm().secrets(" ")).isInstanceOf(IllegalArgumentException.class);
    }
}
