package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.BodyBudget;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.SlowPeers;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bodies read with Servlet non-blocking I/O on a real Jetty: same outcomes, and slow peers hold no thread. */
class NonBlockingReadsTest {

    private JettyApp app;
    private final RecordingServlet servlet = new RecordingServlet();
    private SlowPeers peers;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stop() throws Exception {
        if (peers != null) {
            peers.close();
        }
        app.close();
    }

    private WebhookVerificationFilter filter(BodyBudget budget) {
        return WebhookVerificationFilter.nonBlocking(WebhookEndpoint.forScheme(SignatureScheme.MAUTIC).secrets(SchemeFixture.SECRET).bodyBudget(budget)
                .build());
    }

    private HttpResponse<String> post(byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/webhooks/mautic")).timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeliveryIsHandledOnceAndAFailingHandlerIsA500ProblemWhoseRetryIsHandled() throws Exception {
        app = JettyApp.create().asyncFilter(filter(BodyBudget.builder().build()), "/webhooks/mautic")
                .asyncServlet(servlet, "/webhooks/mautic").start();
        byte[] body = SchemeFixture.MAUTIC.body(1);
        Map<String, String> headers = SchemeFixture.MAUTIC.headers(body, SchemeFixture.SECRET);

        servlet.fail = true;
        HttpResponse<String> failed = post(body, headers);
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(failed.body()).contains("handler_failed").doesNotContain("exploded");

        servlet.fail = false;
        assertThat(post(body, headers).statusCode()).isEqualTo(200);
        assertThat(post(body, headers).statusCode()).as("a finished duplicate").isEqualTo(200);
        assertThat(servlet.bodies).hasSize(2);
        assertThat(servlet.bodies.get(1)).isEqualTo(body);
        assertThat(servlet.handledCount()).isEqualTo(2);

        HttpResponse<String> forged = post(body, Map.of("Webhook-Signature", "Zm9yZ2Vk", "Content-Type", "application/json"));
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(servlet.bodies).hasSize(2);
    }

    @Test
    void withoutTheAsyncMappingTheClaimIsStillSettledFromTheStatus() throws Exception {
        app = JettyApp.create().filter(filter(BodyBudget.builder().build()), "/webhooks/mautic").asyncServlet(servlet, "/webhooks/mautic").start();
        byte[] body = SchemeFixture.MAUTIC.body(2);
        Map<String, String> headers = SchemeFixture.MAUTIC.headers(body, SchemeFixture.SECRET);
        servlet.status = 503;
        assertThat(post(body, headers).statusCode()).isEqualTo(503);
        servlet.status = 200;
        assertThat(post(body, headers).statusCode()).as("released, so handled again").isEqualTo(200);
        assertThat(post(body, headers).statusCode()).isEqualTo(200);
        assertThat(servlet.bodies).as("the duplicate after success is not handled").hasSize(2);
    }

    @Test
    void manySlowPeersHoldNoThreadAndNoWaitingPlace() throws Exception {
        BodyBudget budget = BodyBudget.builder().maxWaitingReads(1).build();
        app = JettyApp.withThreads(12).asyncFilter(filter(budget), "/webhooks/mautic").asyncServlet(servlet, "/webhooks/mautic")
                .servlet(new HttpServlet() {
                    @Override
                    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                        resp.getWriter().write("page");
                    }
                }, "/page").start();
        peers = SlowPeers.open(app.uri("/").getPort(), "/webhooks/mautic", 40);
        Thread.sleep(500);
        // 40 peers against 12 threads and a single waiting place: blocking reads could serve none of this.
        assertThat(budget.waitingReads()).isZero();
        assertThat(budget.bytesInFlight()).isLessThanOrEqualTo(40 * 8192L);
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(app.uri("/page")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).isEqualTo("page");
            URI webhook = app.uri("/webhooks/mautic");
            assertThat(MauticSender.builder(webhook, SchemeFixture.SECRET).requestTimeout(Duration.ofSeconds(2)).build()
                    .sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 300 + i))).allDelivered()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(servlet.handledCount()).isEqualTo(3);
    }
}
