package dev.hookguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.WebhookSigner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attacks of the hardening issue, each against the pipeline itself. */
class HardeningTest {

    private static final String SECRET = "hardening-secret-0123456789";

    private static Delivery malcolm(byte[] body, String secret, String instance) {
        Map<String, String> headers = new java.util.HashMap<>(Map.of("X-Signature", WebhookSigner.sign(SignatureScheme.MALCOLM, secret, body),
                "Content-Type", "application/json"));
        if (instance != null) {
            headers.put("X-Instance-Id", instance);
        }
        return new Delivery("POST", Headers.of(headers), body, "192.0.2.1");
    }

    private static Delivery mautic(byte[] body, String secret, String origin) {
        return new Delivery("POST", Headers.of("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, secret, body),
                "X-Origin-Base-URL", origin, "Content-Type", "application/json"), body, "192.0.2.1");
    }

    @Test
    void replayingOneSessionUnderManyInstanceHeadersIsHandledOnce() {
        List<WorkflowSession> handled = new ArrayList<>();
        WebhookEndpoint<WorkflowSession> pipeline = WebhookEndpoint.malcolm().secrets(SECRET).onAny(handled::add).build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(1, true));
        for (int i = 0; i < 200; i++) {
            assertThat(pipeline.process(malcolm(body, SECRET, "inst" + i)).status()).isEqualTo(200);
        }
        assertThat(handled).hasSize(1);
    }

    @Test
    void underAResolverHeadersThatResolveToTheSameSecretsAreOneTenant() {
        List<WorkflowSession> handled = new ArrayList<>();
        // The README's resolver shape: a default for any unknown instance.
        SecretResolver resolver = tenant -> List.of(Map.of("tenant-two", "second-secret-0123456789").getOrDefault(tenant, SECRET));
        WebhookEndpoint<WorkflowSession> pipeline = WebhookEndpoint.malcolm().secretResolver(resolver).onAny(handled::add).build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(2, true));
        for (int i = 0; i < 50; i++) {
            assertThat(pipeline.process(malcolm(body, SECRET, "anything" + i)).status()).isEqualTo(200);
        }
        assertThat(handled).hasSize(1);
        // Another tenant (other secrets) with the same session id is its own delivery.
        assertThat(pipeline.process(malcolm(body, "second-secret-0123456789", "tenant-two")).status()).isEqualTo(200);
        assertThat(handled).hasSize(2);
    }

    @Test
    void twoMauticTenantsSendingTheSameSubmissionAreBothHandled() {
        List<MauticBatch> handled = new ArrayList<>();
        SecretResolver resolver = origin -> switch (origin) {
            case "https://one.example" -> List.of("tenant-one-secret-0123");
            case "https://two.example" -> List.of("tenant-two-secret-0123");
            default -> List.of();
        };
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secretResolver(resolver).onAny(handled::add).build();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 13)));
        assertThat(pipeline.process(mautic(body, "tenant-one-secret-0123", "https://one.example")).status()).isEqualTo(200);
        assertThat(pipeline.process(mautic(body, "tenant-two-secret-0123", "https://two.example")).status()).isEqualTo(200);
        assertThat(pipeline.process(mautic(body, "tenant-two-secret-0123", "https://two.example")).status()).isEqualTo(200);
        assertThat(handled).hasSize(2);
    }

    @Test
    void anUnknownTenantReadsExactlyAsAWrongSignature() {
        SecretResolver resolver = origin -> origin.equals("https://one.example") ? List.of("tenant-one-secret-0123") : List.of();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secretResolver(resolver).onAny(b -> { }).build();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 1)));
        Outcome unknown = pipeline.process(mautic(body, "whatever-secret-0123", "https://nobody.example"));
        Outcome wrong = pipeline.process(mautic(body, "whatever-secret-0123", "https://one.example"));
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(new String(unknown.body(), StandardCharsets.UTF_8)).isEqualTo(new String(wrong.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aMissingTenantHeaderIsRefusedBeforeTheResolverRuns() {
        List<String> asked = new ArrayList<>();
        SecretResolver resolver = tenant -> {
            asked.add(String.valueOf(tenant));
            return Map.of("a", List.of(SECRET)).getOrDefault(tenant, List.of());   // Map.of throws on null
        };
        WebhookEndpoint<WorkflowSession> pipeline = WebhookEndpoint.malcolm().secretResolver(resolver).onAny(s -> { }).build();
        Outcome outcome = pipeline.process(malcolm(MalcolmSender.body(SampleEvents.malcolmSession(3, true)), SECRET, null));
        assertThat(outcome.status()).isEqualTo(401);
        assertThat(new String(outcome.body(), StandardCharsets.UTF_8)).contains("tenant_missing");
        assertThat(asked).isEmpty();
    }

    @Test
    void aResolverThatThrowsIsA503ProblemWithoutItsMessage() {
        SecretResolver resolver = tenant -> {
            throw new IllegalStateException("vault down: password=hunter2");
        };
        WebhookEndpoint<WorkflowSession> pipeline = WebhookEndpoint.malcolm().secretResolver(resolver).onAny(s -> { }).build();
        Outcome outcome = pipeline.process(malcolm(MalcolmSender.body(SampleEvents.malcolmSession(4, true)), SECRET, "a"));
        assertThat(outcome.status()).isEqualTo(503);
        assertThat(outcome.headers()).containsKey("Retry-After");
        assertThat(new String(outcome.body(), StandardCharsets.UTF_8)).contains("secrets_unavailable").doesNotContain("hunter2");
    }

    @Test
    void unsetPlaceholderNullAndBlankSecretsAreRefusedClearly() {
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secrets((String) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not set");
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secrets((String[]) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not set");
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secret("${MAUTIC_WEBHOOK_SECRET}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("placeholder")
                .hasMessageNotContaining("MAUTIC_WEBHOOK_SECRET}");
        assertThatThrownBy(() -> SignatureVerifier.builder(SignatureScheme.MAUTIC).secret("  "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/webhooks//mautic", "/webhooks/./mautic", "/webhooks/x/../mautic", "/webhooks/mautic/.",
            "/webhooks/%2e/mautic", "/webhooks;x=1/mautic", "/webhooks\\mautic"})
    void nonCanonicalPathsAreRefusedBeforeAnythingIsReadOrClaimed(String path) {
        List<MauticBatch> handled = new ArrayList<>();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).onAny(handled::add).build();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 21)));
        CountingStream stream = new CountingStream(body);
        Admission<MauticBatch> refused = pipeline.admit(request(path, body, stream));
        assertThat(refused.outcome().orElseThrow().status()).isEqualTo(404);
        assertThat(stream.read).isZero();
        // Nothing was claimed: the delivery at the right path is handled.
        assertThat(pipeline.process(request("/webhooks/mautic", body, new CountingStream(body))).status()).isEqualTo(200);
        assertThat(handled).hasSize(1);
    }

    @Test
    void aDeliveryNothingHandledIsReleasedAndAnswered404() {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).build();
        byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 22)));
        Admission<MauticBatch> first = pipeline.admit(mautic(body, SECRET, "x"));
        java.util.List<java.util.logging.LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Admission.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                logged.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try {
            assertThat(first.accepted().notHandled().status()).isEqualTo(404);
        } finally {
            log.removeHandler(capture);
        }
        // One WARN that says what happened and which key, never a payload value.
        assertThat(logged).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
            assertThat(record.getMessage()).contains("404 not_handled").contains("mautic:form_on_submit:20022")
                    .doesNotContain("@example");
        });
        // Not marked done: the same delivery is accepted again, not a duplicate.
        assertThat(pipeline.admit(mautic(body, SECRET, "x")).isAccepted()).isTrue();
    }

    @Test
    void theBufferGrowsWithBytesReceivedNotWithTheDeclaredLength() {
        BodyBudget budget = BodyBudget.builder().maxBytesInFlight(1 << 20).build();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyBudget(budget).onAny(b -> { }).build();
        // Declares 5 MiB, sends one byte, then blocks: what it holds meanwhile is the first small buffer only.
        BlockingStream stream = new BlockingStream();
        Thread reader = new Thread(() -> pipeline.admit(new Request("POST", "/w", 5L << 20, stream)));
        reader.start();
        try {
            stream.awaitSecondRead();
            assertThat(budget.bytesInFlight()).isLessThanOrEqualTo(8192);
        } finally {
            stream.finish();
        }
        join(reader);
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void pastTheBudgetBodiesAre503WithRetryAfter() {
        BodyBudget budget = BodyBudget.builder().maxBytesInFlight(64 * 1024).build();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyBudget(budget).onAny(b -> { }).build();
        BlockingStream holder = new BlockingStream(60 * 1024);
        Thread reader = new Thread(() -> pipeline.admit(new Request("POST", "/w", -1, holder)));
        reader.start();
        try {
            holder.awaitSecondRead();
            byte[] body = new byte[40 * 1024];
            Outcome refused = pipeline.admit(new Request("POST", "/w", body.length, new ByteArrayInputStream(body))).outcome().orElseThrow();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsKey("Retry-After").containsEntry("Connection", "close");
        } finally {
            holder.finish();
        }
        join(reader);
        assertThat(budget.bytesInFlight()).isZero();
    }

    @Test
    void aBodySlowerThanTheFloorIsCutWith408() {
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyReadTimeout(Duration.ofMillis(300))
                .bodyBudget(BodyBudget.builder().build()).onAny(b -> { }).build();
        InputStream trickle = new InputStream() {
            @Override
            public int read() throws IOException {
                sleep(100);
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                b[off] = (byte) read();
                return 1;
            }
        };
        long start = System.nanoTime();
        Outcome outcome = pipeline.admit(new Request("POST", "/w", 1000, trickle)).outcome().orElseThrow();
        assertThat(outcome.status()).isEqualTo(408);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void readsThatWouldWaitAreCappedButBytesAlreadyHereNeedNoPlace() {
        BodyBudget budget = BodyBudget.builder().maxWaitingReads(1).build();
        WebhookEndpoint<MauticBatch> pipeline = WebhookEndpoint.mautic().secrets(SECRET).bodyBudget(budget).onAny(b -> { }).build();
        BlockingStream slow = new BlockingStream();
        Thread reader = new Thread(() -> pipeline.admit(new Request("POST", "/w", 100, slow)));
        reader.start();
        try {
            slow.awaitSecondRead();
            assertThat(budget.waitingReads()).isEqualTo(1);
            // Another slow peer finds no place.
            Outcome refused = pipeline.admit(new Request("POST", "/w", 100, new BlockingStream())).outcome().orElseThrow();
            assertThat(refused.status()).isEqualTo(503);
            // A body that has arrived whole is read without a place, and verified.
            byte[] body = MauticSender.queueBody(List.of(SampleEvents.of("mautic.form_on_submit", 23)));
            Delivery signed = mautic(body, SECRET, "x");
            assertThat(pipeline.admit(new Request("POST", "/w", body.length, new ByteArrayInputStream(body), signed.headers())).isAccepted())
                    .isTrue();
        } finally {
            slow.finish();
        }
        join(reader);
        assertThat(budget.waitingReads()).isZero();
    }

    private static Request request(String path, byte[] body, InputStream stream) {
        return new Request("POST", path, body.length, stream, mautic(body, SECRET, "x").headers());
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Request(String method, String path, long contentLength, InputStream stream, Headers headers) implements IncomingRequest {
        Request(String method, String path, long contentLength, InputStream stream) {
            this(method, path, contentLength, stream, Headers.of("Content-Type", "application/json"));
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public InputStream body() {
            return stream;
        }

        @Override
        public String remoteAddress() {
            return "192.0.2.9";
        }
    }

    private static final class CountingStream extends ByteArrayInputStream {
        int read;

        CountingStream(byte[] body) {
            super(body);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
        }
    }

    /** Gives {@code first} bytes at once, then blocks (nothing available) until finished. */
    private static final class BlockingStream extends InputStream {
        private final int first;
        private final java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private int reads;

        BlockingStream() {
            this(1);
        }

        BlockingStream(int first) {
            this.first = first;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (reads++ == 0) {
                int n = Math.min(len, first);
                java.util.Arrays.fill(b, off, off + n, (byte) ' ');
                return n;
            }
            second.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        void awaitSecondRead() {
            try {
                assertThat(second.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        void finish() {
            done.countDown();
        }
    }
}
