package dev.hookguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.sender.MalcolmSender;
import dev.hookguard.sender.MauticSender;
import dev.hookguard.sender.OutgoingEvent;
import dev.hookguard.sender.SampleEvents;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import java.net.URI;
import java.time.Duration;
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

/** One {@code hookguard.delivery} observation per delivery, through Micrometer's Observation API, on a real server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, classes = ObservationStarterTest.App.class, properties = {
        "hookguard.mautic.secrets=observed-mautic-secret", "hookguard.malcolm.secrets=observed-malcolm-secret"})
class ObservationStarterTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /** Not a bean: Boot adds every ObservationHandler bean to the registry, which would record each observation twice. */
        static final Recorder RECORDER = new Recorder();

        @Bean
        TestObservationRegistry observationRegistry() {
            TestObservationRegistry registry = TestObservationRegistry.create();
            registry.observationConfig().observationHandler(RECORDER);
            return registry;
        }

        @Bean
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meterRegistry() {
            return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        }

        @Bean
        Listeners listeners() {
            return new Listeners();
        }
    }

    static class Listeners {
        @EventListener
        void on(FormSubmitted form) {
        }

        @EventListener
        void on(WorkflowSession session) {
        }
    }

    /** What each delivery observation held when it was started, and when it was stopped. */
    static final class Recorder implements ObservationHandler<Observation.Context> {
        final List<String> started = new CopyOnWriteArrayList<>();
        final List<String> stopped = new CopyOnWriteArrayList<>();

        @Override
        public void onStart(Observation.Context context) {
            if (HookguardObservations.NAME.equals(context.getName())) {
                started.add(tags(context));
            }
        }

        @Override
        public void onStop(Observation.Context context) {
            if (HookguardObservations.NAME.equals(context.getName())) {
                stopped.add(tags(context));
            }
        }

        @Override
        public boolean supportsContext(Observation.Context context) {
            return true;
        }
    }

    private final Recorder recorder = App.RECORDER;

    @LocalServerPort
    int port;

    @Autowired
    TestObservationRegistry observations;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    @org.springframework.beans.factory.annotation.Qualifier("hookguardMauticEndpoint")
    dev.hookguard.delivery.WebhookEndpoint<?> mautic;

    @BeforeEach
    void clear() {
        observations.clear();
        recorder.started.clear();
        recorder.stopped.clear();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** A delivery settles when the container completes it, which may be just after the client read the answer. */
    private void eventually(Runnable assertion) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    private static String tags(Observation.Context context) {
        return tag(context, "sender") + " " + tag(context, "outcome") + " " + tag(context, "event.type");
    }

    private static String tag(Observation.Context context, String key) {
        KeyValue value = context.getLowCardinalityKeyValue(key);
        return value == null ? "-" : value.getValue();
    }

    @Test
    void handledDuplicateForgedAndMalcolmDeliveriesAreOneStartedAndStoppedObservationEach() throws InterruptedException {
        List<OutgoingEvent> form = List.of(SampleEvents.of("mautic.form_on_submit", 4100));
        MauticSender mautic = MauticSender.builder(uri("/webhooks/mautic"), "observed-mautic-secret").build();
        assertThat(mautic.sendImmediate(form).attempts()).extracting(a -> a.status()).containsExactly(200);
        assertThat(mautic.sendImmediate(form).attempts()).extracting(a -> a.status()).containsExactly(200);
        assertThat(MauticSender.builder(uri("/webhooks/mautic"), "forged-secret").build().sendImmediate(
                List.of(SampleEvents.of("mautic.form_on_submit", 4101))).attempts()).extracting(a -> a.status()).containsExactly(401);
        assertThat(MalcolmSender.builder(uri("/webhooks/malcolm"), "observed-malcolm-secret").instanceId("instance42").build()
                .send(SampleEvents.malcolmSession(4102, true)).status()).isEqualTo(200);

        eventually(() -> assertThat(recorder.stopped).hasSize(4));
        // Started as the request arrived: the sender known, no verdict yet.
        assertThat(recorder.started).containsExactly("mautic - -", "mautic - -", "mautic - -", "malcolm - -");
        assertThat(recorder.stopped).containsExactlyInAnyOrder(
                "mautic handled mautic.form_on_submit",
                "mautic duplicate mautic.form_on_submit",
                "mautic signature_mismatch none",
                "malcolm handled workflow_session");
        TestObservationRegistryAssert.assertThat(observations).hasNumberOfObservationsWithNameEqualTo(HookguardObservations.NAME, 4)
                .hasHandledContextsThatSatisfy(contexts -> {
            List<Observation.Context> deliveries = contexts.stream().filter(c -> HookguardObservations.NAME.equals(c.getName())).toList();
            assertThat(deliveries).extracting(ObservationStarterTest::tags).containsExactlyInAnyOrder(
                    "mautic handled mautic.form_on_submit",
                    "mautic duplicate mautic.form_on_submit",
                    "mautic signature_mismatch none",
                    "malcolm handled workflow_session");
            // Started inside the request's own observation: with tracing, each delivery's span is a child of the request's.
            assertThat(deliveries).allSatisfy(c -> assertThat(c.getParentObservation()).isNotNull()
                    .satisfies(parent -> assertThat(parent.getContextView().getName()).isEqualTo("http.server.requests")));
        });
    }

    @Test
    void theObservationHoldsLowCardinalityTagsOnlyAndNoPayloadValue() throws InterruptedException {
        MauticSender.builder(uri("/webhooks/mautic"), "observed-mautic-secret").build()
                .sendImmediate(List.of(SampleEvents.of("mautic.form_on_submit", 4200)));
        eventually(() -> assertThat(recorder.stopped).containsExactly("mautic handled mautic.form_on_submit"));
        TestObservationRegistryAssert.assertThat(observations).hasNumberOfObservationsWithNameEqualTo(HookguardObservations.NAME, 1)
                .forAllObservationsWithNameEqualTo(HookguardObservations.NAME, o -> o.hasLowCardinalityKeyValue("sender", "mautic")
                        .hasLowCardinalityKeyValue("outcome", "handled").hasLowCardinalityKeyValue("event.type", "mautic.form_on_submit"));
        TestObservationRegistryAssert.assertThat(observations).hasHandledContextsThatSatisfy(contexts -> assertThat(contexts.stream()
                .filter(c -> HookguardObservations.NAME.equals(c.getName())).findFirst().orElseThrow().getHighCardinalityKeyValues())
                .as("nothing per delivery that could hold a payload value").isEmpty());
    }

    @Test
    void anAbandonedBodyIsCountedByTheMetricsAndTheObservationAlike() throws InterruptedException {
        double before = meters.find("hookguard.deliveries").tag("outcome", "abandoned").counters().stream()
                .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        dev.hookguard.delivery.spi.Adapters.intake(mautic, dev.hookguard.testsupport.TestRequests.of("POST",
                java.util.Map.of("Content-Type", "application/json"), 100, () -> new java.io.ByteArrayInputStream(new byte[0]), "192.0.2.1"))
                .abandon();
        eventually(() -> assertThat(recorder.stopped).singleElement().asString().startsWith("mautic abandoned"));
        assertThat(meters.get("hookguard.deliveries").tag("outcome", "abandoned").counter().count()).isEqualTo(before + 1);
    }
}
