package dev.hookguard.spring;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.ContactIdentified;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.QueueOrder;
import dev.hookguard.sender.SampleEvents;
import dev.hookguard.sender.SendReport;
import io.micrometer.core.instrument.MeterRegistry;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;

/** Events style: no controller of the application's own; listeners receive typed records. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = EventsStyleTest.App.class, properties = {
        "hookguard.mautic.secrets=old-mautic-secret,mautic-secret",
        "hookguard.malcolm.secrets=malcolm-secret",
        "hookguard.max-body-size=64KB"})
class EventsStyleTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Listeners listeners() {
            return new Listeners();
        }
    }

    static class Listeners {
        final List<MauticEvent> mautic = new CopyOnWriteArrayList<>();
        final List<FormSubmitted> forms = new CopyOnWriteArrayList<>();
        final List<WorkflowSession> sessions = new CopyOnWriteArrayList<>();
        volatile boolean fail;
        volatile long sleepMillis;

        @EventListener
        void on(MauticEvent event) {
            mautic.add(event);
        }

        @EventListener
        void on(FormSubmitted form) throws InterruptedException {
            forms.add(form);
            if (sleepMillis > 0) {
                Thread.sleep(sleepMillis);
            }
            if (fail) {
                throw new IllegalStateException("listener failed with private detail 99");
            }
        }

        @EventListener
        void on(WorkflowSession session) {
            sessions.add(session);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Listeners listeners;

    @Autowired
    MeterRegistry registry;

    @BeforeAll
    static void restAssured() {
        RestAssured.config = RestAssuredConfig.config()
                .encoderConfig(EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));
    }

    @BeforeEach
    void reset() {
        listeners.mautic.clear();
        listeners.forms.clear();
        listeners.sessions.clear();
        listeners.fail = false;
        listeners.sleepMillis = 0;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private MauticSender mautic() {
        return MauticSender.builder(uri("/webhooks/mautic"), "mautic-secret").build();
    }

    @Test
    void formSubmissionReachesATypedListener() {
        assertThat(mautic().sendImmediate(SampleEvents.of("mautic.form_on_submit", 1000, 1)).allDelivered()).isTrue();
        assertThat(listeners.forms).hasSize(1);
        assertThat(listeners.forms.get(0).submission().id()).hasValue(21_000L);
    }

    @Test
    void queuedBatchPublishesEveryEventInBodyOrder() {
        SendReport report = MauticSender.builder(uri("/webhooks/mautic"), "old-mautic-secret").order(QueueOrder.DESC).build()
                .sendQueued(SampleEvents.cycling(SampleEvents.MAUTIC_TYPES, 2000, 14));
        assertThat(report.allDelivered()).isTrue();
        assertThat(listeners.mautic).hasSize(14);
        assertThat(listeners.mautic.stream().map(MauticEvent::type).distinct()).hasSize(14);
        assertThat(listeners.mautic).anySatisfy(e -> assertThat(e).isInstanceOf(ContactIdentified.class));
    }

    @Test
    void malcolmSessionIsPublishedWithItsInstanceId() {
        assertThat(MalcolmSender.builder(uri("/webhooks/malcolm"), "malcolm-secret").instanceId("inst777777").build()
                .send(SampleEvents.malcolmSession(3000, true)).status()).isEqualTo(200);
        assertThat(listeners.sessions).singleElement().satisfies(s -> {
            assertThat(s.instanceId()).contains("inst777777");
            assertThat(s.values()).isPresent();
        });
    }

    @Test
    void redeliveryIsAnswered200AndNotPublishedAgain() {
        List<dev.hookguard.sender.OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 4000, 1);
        mautic().sendImmediate(events);
        assertThat(mautic().sendImmediate(events).attempts().get(0).status()).isEqualTo(200);
        assertThat(listeners.forms).hasSize(1);
    }

    @Test
    void listenerThatThrowsGives500AndTheRetryIsHandled() {
        listeners.fail = true;
        List<dev.hookguard.sender.OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 5000, 1);
        byte[] body = MauticSender.queueBody(events);
        given().headers(mautic().headersFor(body)).body(body).post(uri("/webhooks/mautic")).then().statusCode(500)
                .contentType("application/problem+json").body("code", equalTo("handler_failed"))
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("private detail")));
        // The timer names what the listener threw, never its message.
        assertThat(registry.find("hookguard.handling").tags("sender", "mautic", "outcome", "handler_failed", "error", "IllegalStateException")
                .timer()).isNotNull().satisfies(t -> assertThat(t.count()).isPositive());
        listeners.fail = false;
        assertThat(mautic().sendImmediate(events).allDelivered()).isTrue();
        assertThat(listeners.forms).hasSize(2);
        assertThat(registry.find("hookguard.handling").tags("sender", "mautic", "outcome", "handled", "error", "none").timer()).isNotNull();
    }

    @Test
    void duplicateDuringHandlingIs409WithRetryAfter() throws Exception {
        listeners.sleepMillis = 1_000;
        List<dev.hookguard.sender.OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 6000, 1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SendReport> first = pool.submit(() -> mautic().sendImmediate(events));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (listeners.forms.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // The JDK client, not rest-assured: its first use can take longer than the listener sleeps.
            assertThat(mautic().sendImmediate(events).attempts().get(0).status()).isEqualTo(409);
            assertThat(first.get(10, TimeUnit.SECONDS).allDelivered()).isTrue();
        } finally {
            pool.shutdownNow();
        }
        assertThat(listeners.forms).hasSize(1);
    }

    @Test
    void refusalsFollowTheStatusTable() {
        byte[] body = MauticSender.queueBody(SampleEvents.of("mautic.form_on_submit", 7000, 1));
        Map<String, String> headers = mautic().headersFor(body);
        given().get(uri("/webhooks/mautic")).then().statusCode(405).header("Allow", "POST");
        Map<String, String> textPlain = new HashMap<>(headers);
        textPlain.put("Content-Type", "text/plain");
        given().headers(textPlain).body(body).post(uri("/webhooks/mautic")).then().statusCode(415);
        given().header("Content-Type", "application/json").body(body).post(uri("/webhooks/mautic")).then().statusCode(401)
                .body("code", equalTo("signature_missing"));
        assertThat(MauticSender.builder(uri("/webhooks/mautic"), "forged").build().sendImmediate(SampleEvents.mixed(1)).attempts().get(0).status())
                .isEqualTo(401);
        byte[] malcolmBody = MalcolmSender.body(SampleEvents.malcolmSession(1, false));
        given().headers(mautic().headersFor(malcolmBody)).body(malcolmBody).post(uri("/webhooks/mautic")).then().statusCode(400);
        byte[] big = new byte[65 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        given().headers(mautic().headersFor(big)).body(big).post(uri("/webhooks/mautic")).then().statusCode(413);
        assertThat(listeners.mautic).isEmpty();
    }

    /**
     * Far more than the limit and than socket buffers hold: the peer is still sending when the answer goes out. Tomcat 11
     * (Boot 4) closes the request's input once a response's declared length is written, which turned this 413 into a
     * connection reset; the suite runs on Tomcat 10.1 and 11.
     */
    @Test
    void aBodyFarOverTheLimitIsAnswered413WithItsProblemNotAReset() {
        byte[] huge = new byte[6 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        given().headers(mautic().headersFor(huge)).body(huge).post(uri("/webhooks/mautic")).then().statusCode(413)
                .body("code", equalTo("body_too_large"));
        assertThat(listeners.mautic).isEmpty();
    }

    @Test
    void deliveriesAreCountedBySenderAndOutcome() {
        double handledBefore = count("mautic", "handled");
        double forgedBefore = count("malcolm", "signature_mismatch");
        mautic().sendImmediate(SampleEvents.of("mautic.page_on_hit", 8000, 2));
        MalcolmSender.builder(uri("/webhooks/malcolm"), "forged").build().send(SampleEvents.malcolmSession(8000, false));
        assertThat(count("mautic", "handled") - handledBefore).isEqualTo(2.0);
        assertThat(count("malcolm", "signature_mismatch") - forgedBefore).isEqualTo(1.0);
        assertThat(registry.find("hookguard.handling").tag("sender", "mautic").timer()).isNotNull()
                .satisfies(t -> assertThat(t.count()).isGreaterThanOrEqualTo(2));
    }

    @Test
    void malcolmEndpointFollowsTheStatusTableToo() {
        MalcolmSender sender = MalcolmSender.builder(uri("/webhooks/malcolm"), "malcolm-secret").build();
        byte[] body = MalcolmSender.body(SampleEvents.malcolmSession(9000, true));
        assertThat(sender.send(body).status()).isEqualTo(200);
        assertThat(sender.send(body).status()).isEqualTo(200);
        assertThat(MalcolmSender.builder(uri("/webhooks/malcolm"), "wrong").build().send(body).status()).isEqualTo(401);
        byte[] mauticBody = MauticSender.queueBody(SampleEvents.mixed(1));
        assertThat(sender.send(mauticBody).status()).isEqualTo(400);
        given().get(uri("/webhooks/malcolm")).then().statusCode(405).header("Allow", "POST");
        assertThat(listeners.sessions).hasSize(1);
    }

    private double count(String sender, String outcome) {
        return registry.find("hookguard.deliveries").tag("sender", sender).tag("outcome", outcome).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
