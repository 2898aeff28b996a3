package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import dev.hookguard.signature.SignatureScheme;
import jakarta.servlet.Filter;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FilterBehaviourTest {

    private static final String SECRET = SchemeFixture.SECRET;
    private JettyApp app;
    private final RecordingServlet servlet = new RecordingServlet();

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    private JettyApp start(Filter... filters) throws Exception {
        app = JettyApp.create();
        for (Filter f : filters) {
            app.filter(f, "/webhooks/*");
        }
        return app.servlet(servlet, "/webhooks/*").start();
    }

    private static HttpResponse<String> post(java.net.URI uri, Map<String, String> headers, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(body);
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servletReadsExactlyTheSentBytesThroughGetInputStream() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SECRET).build()));
        SendReport report = MauticSender.builder(app.uri("/webhooks/mautic"), SECRET).build().sendQueued(SampleEvents.mixed(10));
        assertThat(report.allDelivered()).isTrue();
        assertThat(servlet.bodies.get(0)).isEqualTo(MauticSender.queueBody(SampleEvents.mixed(10)));
    }

    @Test
    void servletReadsTheBodyThroughGetReaderAsUtf8WhenNoCharsetIsSent() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MALCOLM).secrets(SECRET).build()));
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(2, true));
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("山田");
        MalcolmSender.builder(app.uri("/webhooks/malcolm?read=reader"), SECRET).build().send(body);
        assertThat(servlet.bodies.get(0)).isEqualTo(body);
    }

    @Test
    void servletReadsTheBodyThroughGetReaderInTheRequestsCharset() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MALCOLM).secrets(SECRET).build()));
        byte[] body = ("{\"id\":\"cs\",\"label\":\"Compl\u00e9t\u00e9\",\"started-at\":\"2024-03-01T09:00:00Z\","
                + "\"completed-at\":\"2024-03-01T09:05:00Z\",\"workflow\":{\"id\":\"w1\"}}").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new java.util.HashMap<>(SchemeFixture.MALCOLM.headers(body, SECRET));
        headers.put("Content-Type", "application/json; charset=ISO-8859-1");
        HttpResponse<String> response = post(app.uri("/webhooks/malcolm?read=reader"), headers, HttpRequest.BodyPublishers.ofByteArray(body));
        assertThat(response.statusCode()).isEqualTo(200);
        // The declared charset decodes the reader, even where it disagrees with the UTF-8 bytes.
        assertThat(new String(servlet.bodies.get(0), StandardCharsets.UTF_8)).isEqualTo(new String(body, StandardCharsets.ISO_8859_1));
    }

    @Test
    void typedPayloadIsAttachedForTheServlet() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MALCOLM).secrets(SECRET).build()));
        MalcolmSender.builder(app.uri("/webhooks/malcolm"), SECRET).instanceId("inst000042").build().send(SampleEvents.malcolmSession(7, true));
        WorkflowSession session = (WorkflowSession) servlet.payloads.get(0);
        assertThat(session.instanceId()).contains("inst000042");
        assertThat(session.values()).isPresent();
    }

    /**
     * Counts the bytes anything behind it reads from the socket before the answer is committed; what is read after
     * it (drained and dropped, so that a sender still writing can read the answer) is counted apart.
     */
    static final class CountingFilter implements Filter {
        final AtomicLong read = new AtomicLong();
        final AtomicLong drained = new AtomicLong();

        @Override
        public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res, jakarta.servlet.FilterChain chain)
                throws java.io.IOException, jakarta.servlet.ServletException {
            HttpServletRequest request = (HttpServletRequest) req;
            ServletInputStream in = request.getInputStream();
            java.util.function.LongConsumer count = n -> (res.isCommitted() ? drained : read).addAndGet(n);
            ServletInputStream counting = new ServletInputStream() {
                @Override
                public int read() throws java.io.IOException {
                    int b = in.read();
                    if (b >= 0) {
                        count.accept(1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        count.accept(n);
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return in.isFinished();
                }

                @Override
                public boolean isReady() {
                    return in.isReady();
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    in.setReadListener(listener);
                }
            };
            chain.doFilter(new HttpServletRequestWrapper(request) {
                @Override
                public ServletInputStream getInputStream() {
                    return counting;
                }
            }, res);
        }
    }

    @Test
    void chunkedBodyOverTheLimitIs413AfterReadingAtMostTheLimitPlusOne() throws Exception {
        int limit = 4096;
        CountingFilter counting = new CountingFilter();
        start(counting, WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SECRET).maxBodyBytes(limit).build()));
        byte[] big = new byte[256 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        // No length: the JDK client sends it chunked.
        HttpResponse<String> response = post(app.uri("/webhooks/mautic"), Map.of("Content-Type", "application/json", "Webhook-Signature", "AAAA"),
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("body_too_large");
        assertThat(counting.read.get()).isBetween(1L, limit + 1L);
        assertThat(counting.drained.get()).as("dropped after the answer, bounded").isLessThanOrEqualTo(2L * 1024 * 1024 + 8192);
        assertThat(servlet.bodies).isEmpty();
    }

    @Test
    void declaredContentLengthOverTheLimitIs413WithoutReadingTheBody() throws Exception {
        CountingFilter counting = new CountingFilter();
        start(counting, WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SECRET).maxBodyBytes(1024).build()));
        HttpResponse<String> response = post(app.uri("/webhooks/mautic"), Map.of("Content-Type", "application/json"),
                HttpRequest.BodyPublishers.ofByteArray(new byte[8192]));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(counting.read.get()).isZero();
    }

    @Test
    void sixteenConcurrentDeliveriesWithRacingDuplicatesAreEachHandledOnce() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SECRET).build()));
        servlet.sleepMillis = 20;
        MauticSender sender = MauticSender.builder(app.uri("/webhooks/mautic"), SECRET).build();
        List<Callable<SendReport>> tasks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            // 8 distinct submissions, each sent by two racing senders.
            OutgoingEvent event = SampleEvents.of("mautic.form_on_submit", i % 8);
            tasks.add(() -> sender.sendImmediate(List.of(event)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<SendReport> f : pool.invokeAll(tasks)) {
                statuses.add(f.get().attempts().get(0).status());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(statuses).allMatch(s -> s == 200 || s == 409);
        assertThat(servlet.handledByKey).hasSize(8);
        assertThat(servlet.handledByKey.values()).allMatch(count -> count.get() == 1);
    }

    @Test
    void queueModeRunNewestFirstHandsEveryEventOnceEvenWhenRedelivered() throws Exception {
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SECRET).build()));
        MauticSender sender = MauticSender.builder(app.uri("/webhooks/mautic"), SECRET).order(QueueOrder.DESC).build();
        List<OutgoingEvent> events = SampleEvents.mixed(42);
        assertThat(sender.sendQueued(events).allDelivered()).isTrue();
        assertThat(sender.sendQueued(events.subList(5, 30)).allDelivered()).isTrue();
        assertThat(servlet.handledByKey).hasSize(42);
        assertThat(servlet.handledByKey.values()).allMatch(count -> count.get() == 1);
        assertThat(servlet.payloads).hasSize(5).allMatch(p -> p instanceof MauticBatch);
    }

    @Test
    void secretsPerTenantComeFromTheResolver() throws Exception {
        Map<String, List<String>> byInstance = Map.of("tenant0001", List.of("secret-one"), "tenant0002", List.of("secret-two"));
        start(WebhookVerificationFilter.of(WebhookEndpoint.forScheme(SignatureScheme.MALCOLM)
                .secretResolver(instance -> byInstance.getOrDefault(instance, List.of())).build()));
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), "secret-one").instanceId("tenant0001").build()
                .send(SampleEvents.malcolmSession(1, false)).status()).isEqualTo(200);
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), "secret-one").instanceId("tenant0002").build()
                .send(SampleEvents.malcolmSession(2, false)).status()).isEqualTo(401);
        assertThat(MalcolmSender.builder(app.uri("/webhooks/malcolm"), "secret-one").instanceId("unknown123").build()
                .send(SampleEvents.malcolmSession(3, false)).status()).isEqualTo(401);
    }

    @Test
    void accessorsExplainWhatIsMissing() {
        HttpServletRequest bare = (HttpServletRequest) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> null);
        assertThatThrownBy(() -> WebhookRequests.mauticBatch(bare)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("WebhookVerificationFilter");
        assertThat(WebhookRequests.isVerified(bare)).isFalse();
    }

    @Test
    void anEndpointWithoutSecretsIsRefusedBeforeAFilterExists() {
        assertThatThrownBy(() -> WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no mautic webhook secret");
        assertThatThrownBy(() -> WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets("  "))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
