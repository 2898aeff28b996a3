package dev.hookguard.spring;

import dev.hookguard.delivery.DeliveryListener;
import dev.hookguard.signature.SignatureScheme;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code hookguard.deliveries} (a counter by sender, outcome and status) and {@code hookguard.handling} (a timer
 * of the application's handling, by sender and outcome).
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
            Timer.builder("hookguard.handling")
                    .description("Time the application took to handle a verified delivery")
                    .tag("sender", scheme.id())
                    .tag("outcome", code)
                    .register(registry)
                    .record(handlingNanos, TimeUnit.NANOSECONDS);
        }
    }
}
