package dev.hookguard.spring;

import dev.hookguard.delivery.DeliveryObserver;
import dev.hookguard.signature.SignatureScheme;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code hookguard.deliveries} (a counter by sender, outcome and status) and {@code hookguard.handling} (a timer
 * of the application's handling, by sender, outcome and error), in direct mode; in inbox mode the workers' handling
 * is timed by {@link InboxPublisher}, with the same tags.
 */
final class HookguardMetrics implements DeliveryObserver {

    private final MeterRegistry registry;

    HookguardMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Settlement arrived(SignatureScheme scheme) {
        return new Settlement() {
            @Override
            public void settled(int status, String code, String eventType) {
                // Only the full settlement below is told: it carries the handling time and the failure.
            }

            @Override
            public void settled(Settled settled) {
                record(settled);
            }
        };
    }

    private void record(Settled settled) {
        Counter.builder("hookguard.deliveries")
                .description("Webhook deliveries received, by sender and outcome")
                .tag("sender", settled.scheme().id())
                .tag("outcome", settled.code())
                .tag("status", Integer.toString(settled.status()))
                .register(registry)
                .increment();
        if (settled.handlingNanos() >= 0) {
            handling(registry, settled.scheme(), settled.code(), HandlingErrors.tag(settled.failure().orElse(null)), settled.handlingNanos());
        }
    }

    /** One handling, in either mode: both must give the meter the same tag keys (Prometheus refuses a meter otherwise). */
    static void handling(MeterRegistry registry, SignatureScheme scheme, String outcome, String error, long nanos) {
        Timer.builder("hookguard.handling")
                .description("Time the application took to handle a verified delivery")
                .tag("sender", scheme.id())
                .tag("outcome", outcome)
                .tag("error", error)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
