package dev.hookguard.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.BodyBudget;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.SampleEvents;
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
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Strangers without a valid signature open many connections that declare 5 MiB bodies and send a byte now and
 * then: on a real Jetty with a pool of 24 threads, pages and valid deliveries keep answering, and what the
 * bodies hold grows with the bytes that arrived, not with what was declared.
 */
class SlowAndHugeBodiesTest {

    private static final int ATTACKERS = 40;

    private JettyApp app;
    private SlowPeers peers;

    @AfterEach
    void stop() throws Exception {
        if (peers != null) {
            peers.close();
        }
        app.close();
    }

    @Test
    void slowPeersDeclaringHugeBodiesNeitherTakeTheServerNorItsMemory() throws Exception {
        BodyBudget budget = BodyBudget.builder().maxWaitingReads(8).build();
        RecordingServlet webhooks = new RecordingServlet();
        app = JettyApp.withThreads(24)
                .filter(WebhookVerificationFilter.of(WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET).bodyBudget(budget).build()),
                        "/webhooks/mautic")
                .servlet(webhooks, "/webhooks/mautic")
                .servlet(new HttpServlet() {
                    @Override
                    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                        resp.getWriter().write("page");
                    }
                }, "/page").start();

        AtomicLong peakBytes = new AtomicLong();
        peers = SlowPeers.open(app.uri("/").getPort(), "/webhooks/mautic", ATTACKERS);
        Thread trickle = new Thread(() -> {
            // One byte a second from every attacker, for at most 7 s: bounded, and it stops by itself.
            for (int second = 0; second < 7; second++) {
                peakBytes.accumulateAndGet(budget.bytesInFlight(), Math::max);
                peers.trickle();
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        trickle.start();
        Thread.sleep(1_500);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(app.uri("/page")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.body()).isEqualTo("page");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

            start = System.nanoTime();
            URI webhook = app.uri("/webhooks/mautic");
            assertThat(MauticSender.builder(webhook, SchemeFixture.SECRET).requestTimeout(Duration.ofSeconds(2)).build()
                    .sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 100 + i))).allDelivered()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            peakBytes.accumulateAndGet(budget.bytesInFlight(), Math::max);
            Thread.sleep(500);
        }
        trickle.join(10_000);
        assertThat(webhooks.handledByKey).hasSize(3);
        // 40 declared 5 MiB each (200 MiB); each holds at most its first 8 KiB buffer.
        assertThat(peakBytes.get()).isLessThanOrEqualTo(ATTACKERS * 8192L);
        assertThat(budget.waitingReads()).isLessThanOrEqualTo(8);
    }
}
