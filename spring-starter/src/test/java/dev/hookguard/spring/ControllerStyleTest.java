package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Controller style: the application's own {@code @PostMapping} takes {@code @VerifiedWebhook} parameters. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ControllerStyleTest.App.class, properties = {
        "hookguard.mautic.secrets=mautic-secret", "hookguard.malcolm.secrets=malcolm-secret"})
class ControllerStyleTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        Hooks hooks() {
            return new Hooks();
        }
    }

    @RestController
    static class Hooks {
        final List<MauticBatch> batches = new CopyOnWriteArrayList<>();
        final List<byte[]> raw = new CopyOnWriteArrayList<>();
        final List<WorkflowSession> sessions = new CopyOnWriteArrayList<>();
        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        final List<Object> published = new CopyOnWriteArrayList<>();
        volatile int status = 204;

        @PostMapping("/webhooks/mautic")
        ResponseEntity<Void> mautic(@VerifiedWebhook MauticBatch batch, @VerifiedWebhook byte[] body) {
            batches.add(batch);
            raw.add(body);
            return ResponseEntity.status(status).build();
        }

        @PostMapping("/webhooks/malcolm")
        ResponseEntity<Void> malcolm(@VerifiedWebhook WorkflowSession session, @VerifiedWebhook Delivery delivery) {
            sessions.add(session);
            deliveries.add(delivery);
            return ResponseEntity.status(status).build();
        }

        @EventListener
        void on(MauticEvent event) {
            published.add(event);
        }

        @EventListener
        void on(WorkflowSession session) {
            published.add(session);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    Hooks hooks;

    @BeforeEach
    void reset() {
        hooks.batches.clear();
        hooks.raw.clear();
        hooks.sessions.clear();
        hooks.deliveries.clear();
        hooks.published.clear();
        hooks.status = 204;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    @Test
    void controllerGetsTheTypedBatchAndTheExactBytesAndNoEventsArePublished() {
        List<OutgoingEvent> events = SampleEvents.mixed(10);
        assertThat(MauticSender.builder(uri("/webhooks/mautic"), "mautic-secret").build().sendQueued(events).allDelivered()).isTrue();
        assertThat(hooks.batches).singleElement().satisfies(b -> assertThat(b.size()).isEqualTo(10));
        assertThat(hooks.raw.get(0)).isEqualTo(MauticSender.queueBody(events));
        assertThat(hooks.published).isEmpty();
    }

    @Test
    void controllerGetsTheSessionAndTheDelivery() {
        assertThat(MalcolmSender.builder(uri("/webhooks/malcolm"), "malcolm-secret").instanceId("ctrl000001").build()
                .send(SampleEvents.malcolmSession(11, true)).status()).isEqualTo(204);
        assertThat(hooks.sessions).singleElement().satisfies(s -> assertThat(s.instanceId()).contains("ctrl000001"));
        assertThat(hooks.deliveries.get(0).headers().get("x-instance-id")).isEqualTo("ctrl000001");
        assertThat(hooks.published).isEmpty();
    }

    @Test
    void forgedDeliveryNeverReachesTheController() {
        assertThat(MauticSender.builder(uri("/webhooks/mautic"), "forged").build().sendImmediate(SampleEvents.mixed(1)).attempts().get(0).status())
                .isEqualTo(401);
        assertThat(hooks.batches).isEmpty();
    }

    @Test
    void controllerAnsweringNon2xxReleasesTheDeliveryForARetry() {
        hooks.status = 503;
        List<OutgoingEvent> events = SampleEvents.of("mautic.form_on_submit", 50, 1);
        MauticSender sender = MauticSender.builder(uri("/webhooks/mautic"), "mautic-secret").build();
        assertThat(sender.sendImmediate(events).attempts().get(0).status()).isEqualTo(503);
        hooks.status = 204;
        assertThat(sender.sendImmediate(events).attempts().get(0).status()).isEqualTo(204);
        assertThat(sender.sendImmediate(events).attempts().get(0).status()).isEqualTo(200);
        assertThat(hooks.batches).hasSize(2);
    }
}
