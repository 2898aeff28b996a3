package dev.hookguard.sender;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.mautic.UnknownEvent;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.testsupport.RecordingServer;
import dev.hookguard.testsupport.TestResources;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MauticSenderTest {

    private static final String SECRET = "ca8c3a1d41ff7fa8f8a6273c9bf4844a06d8392bafa203cd4278343ba9cced6d";
    private final SignatureVerifier verifier = SignatureVerifier.builder(SignatureScheme.MAUTIC).secret(SECRET).build();
    private RecordingServer server;

    @BeforeEach
    void start() throws Exception {
        server = new RecordingServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private MauticSender.Builder sender() {
        return MauticSender.builder(server.uri("/webhooks/mautic"), SECRET).retryDelay(Duration.ofMillis(10));
    }

    private static List<Integer> submissionIds(RecordingServer.Request request) {
        return MauticPayloads.parse(request.body()).eventsOf(FormSubmitted.class).stream()
                .map(e -> (int) (e.submission().id().orElseThrow() - 20_000)).toList();
    }

    @Test
    void immediateModeSendsOneSignedEventPerPostWithMauticsHeaders() {
        List<OutgoingEvent> events = SampleEvents.mixed(14);
        SendReport report = sender().originBaseUrl("https://mautic.acme.test").build().sendImmediate(events);

        assertThat(report.allDelivered()).isTrue();
        assertThat(server.requests()).hasSize(14);
        for (int i = 0; i < 14; i++) {
            RecordingServer.Request r = server.requests().get(i);
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/webhooks/mautic");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("X-Origin-Base-URL")).isEqualTo("https://mautic.acme.test");
            assertThat(r.header("User-Agent")).isEqualTo("GuzzleHttp/7");
            assertThat(verifier.isValid(r.body(), r.header("Webhook-Signature"), null)).isTrue();
            MauticBatch batch = MauticPayloads.parse(r.body());
            assertThat(batch.events()).hasSize(1);
            assertThat(batch.events().get(0).type()).isEqualTo(SampleEvents.MAUTIC_TYPES.get(i));
            assertThat(batch.events().get(0)).isNotInstanceOf(UnknownEvent.class);
            assertThat(batch.events().get(0).timestamp()).hasValue(SampleEvents.queuedAt(i + 1));
        }
    }

    @Test
    void bodiesAreWhatPhpJsonEncodeWrites() throws Exception {
        sender().build().sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 1)));
        byte[] body = server.requests().get(0).body();
        String text = new String(body, StandardCharsets.UTF_8);

        assertThat(text.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(text).contains("https:\\/\\/www.example.com").contains("Zo\\u00eb").contains("\"ipAddress\":[]")
                .contains("\"score\":1}").doesNotContain(": ").doesNotContain(", ");
        // PHP's decode-then-encode is a fixed point of what Mautic sends.
        assertThat(PhpJson.encodeToString(TestResources.JSON.readTree(body))).isEqualTo(text);
        assertThat(text).endsWith("\"timestamp\":\"2026-01-05T09:00:01+00:00\"}]}");
    }

    @Test
    void timestampIsAppendedLastInEveryEvent() throws Exception {
        sender().build().sendQueued(SampleEvents.mixed(10));
        JsonNode root = TestResources.JSON.readTree(server.requests().get(0).body());
        for (JsonNode events : root) {
            for (JsonNode event : events) {
                List<String> keys = new ArrayList<>();
                event.fieldNames().forEachRemaining(keys::add);
                assertThat(keys.get(keys.size() - 1)).isEqualTo("timestamp");
            }
        }
    }

    @Test
    void queueModeSendsBatchesOfTheLimitInAscendingOrder() {
        List<OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 1, 25);
        SendReport report = sender().build().sendQueued(events);

        assertThat(report.allDelivered()).isTrue();
        assertThat(server.requests()).extracting(r -> MauticPayloads.parse(r.body()).size()).containsExactly(10, 10, 5);
        assertThat(submissionIds(server.requests().get(0))).containsExactlyElementsOf(IntStream.rangeClosed(1, 10).boxed().toList());
        assertThat(submissionIds(server.requests().get(2))).containsExactly(21, 22, 23, 24, 25);
    }

    @Test
    void queueModeDescendingSendsNewestFirstAcrossAndWithinBatches() {
        SendReport report = sender().order(QueueOrder.DESC).batchSize(7).build().sendQueued(SampleEvents.of("mautic.form_on_submit", 1, 20));

        assertThat(report.delivered()).isEqualTo(20);
        assertThat(server.requests()).extracting(r -> MauticPayloads.parse(r.body()).size()).containsExactly(7, 7, 6);
        assertThat(submissionIds(server.requests().get(0))).containsExactly(20, 19, 18, 17, 16, 15, 14);
        assertThat(submissionIds(server.requests().get(2))).containsExactly(6, 5, 4, 3, 2, 1);
    }

    @Test
    void queueBatchGroupsTypesInOrderOfFirstAppearance() throws Exception {
        List<OutgoingEvent> events = List.of(SampleEvents.of("mautic.page_on_hit", 1), SampleEvents.of("mautic.form_on_submit", 2),
                SampleEvents.of("mautic.page_on_hit", 3), SampleEvents.of("mautic.email_on_open", 4), SampleEvents.of("mautic.form_on_submit", 5));
        sender().build().sendQueued(events);
        JsonNode root = TestResources.JSON.readTree(server.requests().get(0).body());
        List<String> types = new ArrayList<>();
        root.fieldNames().forEachRemaining(types::add);
        assertThat(types).containsExactly("mautic.page_on_hit", "mautic.form_on_submit", "mautic.email_on_open");
        assertThat(MauticPayloads.parse(server.requests().get(0).body()).events()).extracting(MauticEvent::type)
                .containsExactly("mautic.page_on_hit", "mautic.page_on_hit", "mautic.form_on_submit", "mautic.form_on_submit", "mautic.email_on_open");
    }

    @Test
    void sendTestPayloadHasItsOwnShape() throws Exception {
        OffsetDateTime now = OffsetDateTime.parse("2026-11-22T10:00:00+01:00");
        SendReport report = sender().build().sendTestPayload(SampleEvents.MAUTIC_TYPES, now);

        assertThat(report.allDelivered()).isTrue();
        RecordingServer.Request r = server.requests().get(0);
        assertThat(verifier.isValid(r.body(), r.header("Webhook-Signature"), null)).isTrue();
        JsonNode root = TestResources.JSON.readTree(r.body());
        List<String> keys = new ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).hasSize(9).endsWith("timestamp").doesNotContain("mautic.sms_on_send", "mautic.email_on_send", "mautic.lead_list_change");
        assertThat(root.get("timestamp").asText()).isEqualTo("2026-11-22T10:00:00+01:00");
        assertThat(root.get("mautic.form_on_submit").isObject()).isTrue();
        assertThat(root.get("mautic.page_on_hit").isObject()).isTrue();
        assertThat(root.get("mautic.email_on_open").isObject()).isTrue();
        assertThat(root.get("mautic.lead_post_save_new").isArray()).isTrue();
        MauticBatch batch = MauticPayloads.parse(r.body());
        assertThat(batch.isTestPayload()).isTrue();
        assertThat(batch.size()).isEqualTo(8);
    }

    @Test
    void sendTestPayloadWithNoSampleTypesSendsOnlyTheTimestamp() throws Exception {
        sender().build().sendTestPayload(List.of("mautic.sms_on_send"), OffsetDateTime.parse("2026-11-22T10:00:00Z"));
        assertThat(new String(server.requests().get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"timestamp\":\"2026-11-22T10:00:00+00:00\"}");
    }

    @Test
    void status410UnpublishesTheWebhookAndStopsSending() {
        server.answering(n -> 410);
        SendReport immediate = sender().build().sendImmediate(SampleEvents.mixed(3));
        assertThat(immediate.unpublished()).isTrue();
        assertThat(server.requests()).hasSize(1);
        assertThat(immediate.allDelivered()).isFalse();

        SendReport queued = sender().build().sendQueued(SampleEvents.mixed(25));
        assertThat(queued.unpublished()).isTrue();
        assertThat(server.requests()).hasSize(2);
        assertThat(queued.dropped()).isEqualTo(10);
        assertThat(queued.pending()).isEqualTo(15);
    }

    @Test
    void redirectIsAFailureAndIsNotFollowed() {
        server.answering(n -> n == 0 ? 302 : 200);
        SendReport report = sender().build().sendImmediate(SampleEvents.mixed(2));
        assertThat(server.requests()).extracting(RecordingServer.Request::path).containsExactly("/webhooks/mautic", "/webhooks/mautic");
        assertThat(report.attempts().get(0).outcome()).isEqualTo(Attempt.Outcome.DROPPED);
        assertThat(report.delivered()).isEqualTo(1);
        assertThat(report.dropped()).isEqualTo(1);
    }

    @Test
    void anyTwoHundredStatusIsSuccess() {
        server.answering(n -> 200 + n * 2);
        SendReport report = sender().build().sendImmediate(SampleEvents.mixed(3));
        assertThat(report.attempts()).extracting(Attempt::status).containsExactly(200, 202, 204);
        assertThat(report.allDelivered()).isTrue();
    }

    @Test
    void underMautic5AServerErrorDropsTheBatchAndTheNextRunGoesOn() {
        server.answering(n -> n == 0 ? 500 : 200);
        SendReport report = sender().retryPolicy(RetryPolicy.MAUTIC5).build().sendQueued(SampleEvents.of("mautic.form_on_submit", 1, 25));

        assertThat(report.dropped()).isEqualTo(10);
        assertThat(report.delivered()).isEqualTo(15);
        assertThat(report.retried()).isZero();
        assertThat(server.requests()).hasSize(3);
        assertThat(submissionIds(server.requests().get(1))).startsWith(11);
    }

    @Test
    void underRetryingAServerErrorIsSentAgainAfterFreshRows() {
        server.answering(n -> n == 0 ? 503 : 200);
        SendReport report = sender().retryPolicy(RetryPolicy.RETRYING).build().sendQueued(SampleEvents.of("mautic.form_on_submit", 1, 25));

        assertThat(report.allDelivered()).isTrue();
        assertThat(report.retried()).isEqualTo(10);
        assertThat(report.dropped()).isZero();
        assertThat(server.requests()).hasSize(4);
        // The next run sends rows that never failed before the failed ones.
        assertThat(submissionIds(server.requests().get(1))).startsWith(11);
        assertThat(submissionIds(server.requests().get(2))).containsExactly(21, 22, 23, 24, 25, 1, 2, 3, 4, 5);
        assertThat(submissionIds(server.requests().get(3))).containsExactly(6, 7, 8, 9, 10);
    }

    @Test
    void underMautic5ATransportErrorKeepsTheRowsForTheNextRun() {
        server.delaying(n -> n == 0 ? 1_500 : 0);
        SendReport report = sender().retryPolicy(RetryPolicy.MAUTIC5).requestTimeout(Duration.ofMillis(400)).build()
                .sendQueued(SampleEvents.of("mautic.form_on_submit", 1, 5));

        assertThat(report.attempts().get(0).status()).isZero();
        assertThat(report.attempts().get(0).outcome()).isEqualTo(Attempt.Outcome.WILL_RETRY);
        assertThat(report.attempts().get(0).error()).contains("Timeout");
        assertThat(report.allDelivered()).isTrue();
        assertThat(report.retried()).isEqualTo(5);
    }

    @Test
    void connectionRefusedLeavesEverythingPendingAfterTheLastRun() throws Exception {
        URI closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/hook");
        }
        SendReport report = MauticSender.builder(closed, SECRET).maxRuns(2).retryDelay(Duration.ofMillis(10)).build()
                .sendQueued(SampleEvents.mixed(12));
        assertThat(report.attempts()).hasSize(2).allMatch(a -> a.status() == 0);
        assertThat(report.pending()).isEqualTo(12);
        assertThat(report.delivered()).isZero();
        assertThat(report.summary()).contains("12 pending");
    }

    @Test
    void immediateModeNeverRetries() {
        server.answering(n -> 500);
        SendReport report = sender().retryPolicy(RetryPolicy.RETRYING).build().sendImmediate(SampleEvents.mixed(2));
        assertThat(server.requests()).hasSize(2);
        assertThat(report.delivered()).isZero();
    }

    @Test
    void nullSecretSendsAnEmptySignatureLikeMautic5() {
        MauticSender.builder(server.uri("/h"), null).build().sendImmediate(SampleEvents.mixed(1));
        assertThat(server.requests().get(0).header("Webhook-Signature")).isEmpty();
    }

    @Test
    void sampleEventsOfEveryTypeParseToTheirTypedRecordWithDistinctKeys() {
        Set<String> keys = new HashSet<>();
        for (String type : SampleEvents.MAUTIC_TYPES) {
            for (int seq = 1; seq <= 20; seq++) {
                MauticEvent event = MauticPayloads.parse(MauticSender.queueBody(List.of(SampleEvents.of(type, seq)))).events().get(0);
                assertThat(event).isNotInstanceOf(UnknownEvent.class);
                assertThat(event.type()).isEqualTo(type);
                keys.add(event.idempotencyKey());
            }
        }
        assertThat(keys).hasSize(14 * 20);
        assertThat(MauticSender.queueBody(List.of(SampleEvents.of("mautic.lead_post_save_new", 3))))
                .isEqualTo(MauticSender.queueBody(List.of(SampleEvents.of("mautic.lead_post_save_new", 3))));
    }

    @Test
    void sampleContactsCarryNonAsciiNamesAcrossGroups() {
        Iterator<MauticEvent> events = MauticPayloads.parse(MauticSender.queueBody(SampleEvents.of("mautic.lead_post_save_new", 0, 3))).events().iterator();
        assertThat(((dev.hookguard.mautic.ContactIdentified) events.next()).contact().orElseThrow().name()).contains("José Müller");
        assertThat(((dev.hookguard.mautic.ContactIdentified) events.next()).contact().orElseThrow().name()).contains("Zoë Ødegaard");
        assertThat(((dev.hookguard.mautic.ContactIdentified) events.next()).contact().orElseThrow().field("firstname")).contains("山田");
    }
}
