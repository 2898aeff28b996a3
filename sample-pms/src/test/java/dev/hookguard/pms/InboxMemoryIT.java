package dev.hookguard.pms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Inbox mode at {@code -Xmx512m}: one 4.5 MB queue body of 120 large form submissions is stored as 120 rows of one
 * event each (not 120 copies of the body), the Deliveries page lists them without reading a body, and every event,
 * and every delivery acknowledged after it, becomes an issue: no worker dies of an OutOfMemoryError.
 */
@DisabledIfSystemProperty(named = "spring.aot.enabled", matches = "true",
        disabledReason = "inbox mode: the ahead-of-time context was generated in direct mode, conditions are fixed at build time")
class InboxMemoryIT {

    @Test
    void aLargeBatchIsHandledWholeAndTheDeliveriesPageStaysUpInHalfAGigabyte() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "inbox-memory-it-" + System.nanoTime()));
        Path log = dir.resolve("pms.log");
        int port = PmsProcess.freePort();
        try (PmsProcess pms = new PmsProcess(port, log, "--hookguard.inbox.enabled=true").jvm("-Xmx512m").in(dir).start()) {
            List<OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 50_000, 120);
            for (OutgoingEvent event : events) {
                // About 37 KB an event: a long free-text answer, as a real form may carry.
                ((com.fasterxml.jackson.databind.node.ObjectNode) event.payload().get("submission")).put("notes", "x".repeat(36_800));
            }
            byte[] batch = MauticSender.queueBody(events);
            assertThat(batch.length).isBetween(4_300_000, 5_000_000);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> stored = client.send(HttpRequest.newBuilder(pms.uri("/webhooks/mautic")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .header("Webhook-Signature", WebhookSigner.sign(SignatureScheme.MAUTIC, PmsApp.MAUTIC_SECRET, batch))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(batch)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(stored.statusCode()).isEqualTo(202);

            for (int i = 0; i < 3; i++) {
                HttpResponse<String> page = client.send(pms.get("/deliveries"), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).as("Deliveries page, view " + (i + 1)).isEqualTo(200);
                assertThat(page.body()).contains("mautic:form_on_submit:");
            }

            MauticSender sender = MauticSender.builder(pms.uri("/webhooks/mautic"), PmsApp.MAUTIC_SECRET).build();
            for (int seq = 0; seq < 5; seq++) {
                assertThat(sender.sendImmediate(SampleEvents.of("mautic.form_on_submit", 60_000 + seq, 1)).attempts().get(0).status())
                        .isEqualTo(202);
            }
            long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long issues = 0;
            while (System.nanoTime() < until && issues < 125) {
                Thread.sleep(500);
                String body = client.send(pms.get("/api/issues?size=1"), HttpResponse.BodyHandlers.ofString()).body();
                issues = Long.parseLong(body.replaceAll("(?s).*\"totalElements\":(\\d+).*", "$1"));
            }
            assertThat(issues).as("the 120 events of the batch and the 5 deliveries after it").isEqualTo(125);
        }
        assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }
}
