package dev.hookguard.spring;

import dev.hookguard.delivery.DeliveryListener;
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
final class HookguardMetrics implements DeliveryListener {

    private final MeterRegistry registry;

    HookguardMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void delivered(SignatureScheme scheme, int status, String code, long handlingNanos) {
        Counter.builder("hookguard.deliveries")
                .description("Webhook deliveries received, by sender and outcome")
                .tag("sender", scheme.id())
                .tag("outcome", code)
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
        if (handlingNanos >= 0) {
            String thrown = HandlingErrors.take();
            String error = !"handler_failed".equals(code) ? HandlingErrors.NONE : thrown != null ? thrown : HandlingErrors.UNKNOWN;
            handling(registry, scheme, code, error, handlingNanos);
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
