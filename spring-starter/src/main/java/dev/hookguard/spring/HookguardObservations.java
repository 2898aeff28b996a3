package dev.hookguard.spring;

import dev.hookguard.delivery.DeliveryObserver;
import dev.hookguard.signature.SignatureScheme;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * {@code hookguard.delivery}: one observation per delivery, started when its request arrives and stopped when it
 * settles, with the low-cardinality tags {@code sender}, {@code outcome} and {@code event.type}. Started while
 * Boot's HTTP server observation is current, so with tracing its span is a child of the request's.
 */
final class HookguardObservations implements DeliveryObserver {

    static final String NAME = "hookguard.delivery";

    private final ObservationRegistry registry;

    HookguardObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Settlement arrived(SignatureScheme scheme) {
        Observation observation = Observation.createNotStarted(NAME, registry)
                .contextualName("hookguard " + scheme.id() + " delivery")
                .lowCardinalityKeyValue("sender", scheme.id())
                .start();
        // Outcome and event type are known only at the end; every value comes from a small fixed set (never a payload value).
        return (status, code, eventType) -> observation.lowCardinalityKeyValue("outcome", code)
                .lowCardinalityKeyValue("event.type", eventType)
                .stop();
    }
}
