package dev.hookguard.servlet;

import dev.hookguard.testsupport.TestH2;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.RetryPolicy;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * Mautic 5 never retries: a handler that fails once loses the delivery in direct mode (500, dropped by the
 * sender) and loses nothing in inbox mode (202 at once, handled by the workers' retries). Real Jetty, the
 * reference sender in Mautic-5 mode, an H2 file.
 */
class InboxModeTest {

    /** Fails the first attempt for each submission, as a downstream service that hiccups would. */
    private static final class FlakyOnce {
        final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final Map<Long, AtomicInteger> handled = new ConcurrentHashMap<>();

        void on(FormSubmitted form) {
            long id = form.submission().id().orElseThrow();
            if (attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() == 1) {
                throw new IllegalStateException("downstream hiccup");
            }
            handled.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static SendReport sendFiveAsMautic5(JettyApp app) {
        return MauticSender.builder(app.uri("/webhooks/mautic"), SchemeFixture.SECRET).retryPolicy(RetryPolicy.MAUTIC5).build()
                .sendImmediate(SampleEvents.of("mautic.form_on_submit", 500, 5));
    }

    @Test
    void directModeLosesWhatAFailingHandlerRefusedToMautic5() throws Exception {
        FlakyOnce handler = new FlakyOnce();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET).on(FormSubmitted.class, handler::on).build();
        try (JettyApp app = JettyApp.create().filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic")
                .servlet(new RecordingServlet(), "/webhooks/mautic").start()) {
            SendReport report = sendFiveAsMautic5(app);
            assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(500);
            assertThat(handler.handled).as("Mautic 5 dropped all five").isEmpty();
        }
    }

    @Test
    void inboxModeAnswers202AndHandlesEveryDeliveryOnceDespiteTheFailures() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "inbox-mode-" + System.nanoTime()));
        JdbcDataSource h2 = TestH2.file(dir.resolve("inbox"));
        JdbcInbox inbox = JdbcInbox.builder(h2).backoff(Duration.ofMillis(50), Duration.ofMillis(200)).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        FlakyOnce handler = new FlakyOnce();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(SchemeFixture.SECRET).on(FormSubmitted.class, handler::on)
                .inbox(inbox).build();
        inbox.start(endpoint);
        try (JettyApp app = JettyApp.create().filter(WebhookVerificationFilter.of(endpoint), "/webhooks/mautic")
                .servlet(new RecordingServlet(), "/webhooks/mautic").start()) {
            SendReport report = sendFiveAsMautic5(app);
            assertThat(report.attempts()).extracting(a -> a.status()).containsOnly(202);
            assertThat(report.allDelivered()).isTrue();
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (inbox.counts().done() < 5 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertThat(handler.handled).hasSize(5).allSatisfy((id, n) -> assertThat(n.get()).isEqualTo(1));
            assertThat(sendFiveAsMautic5(app).attempts()).as("the same five again: duplicates").extracting(a -> a.status()).containsOnly(200);
        } finally {
            inbox.stop(Duration.ofSeconds(2));
        }
    }
}
