package dev.hookguard.spring;

import dev.hookguard.inbox.InboxListener;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.signature.SignatureScheme;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationContext;

/**
 * Counts what the inbox's workers do, by sender: handled, retried, dead-lettered; and times their handling as
 * {@code hookguard.handling}. Loaded only with Micrometer.
 */
final class InboxCounters implements InboxListener, InboxPublisher.Timer {

    private final ApplicationContext context;
    private volatile MeterRegistry registry;

    private InboxCounters(ApplicationContext context) {
        this.context = context;
    }

    static void register(JdbcInbox.Builder builder, ApplicationContext context) {
        builder.listener(new InboxCounters(context));
    }

    static InboxPublisher.Timer handlingTimer(ApplicationContext context) {
        return new InboxCounters(context);
    }

    /** Looked up at the first use: the registry may be created after the inbox. Null without one. */
    private MeterRegistry registry() {
        MeterRegistry meters = registry;
        if (meters == null) {
            meters = context.getBeanProvider(MeterRegistry.class).getIfAvailable();
            registry = meters;
        }
        return meters;
    }

    private void count(String name, SignatureScheme scheme) {
        MeterRegistry meters = registry();
        if (meters != null) {
            Counter.builder(name).tag("sender", scheme.id()).register(meters).increment();
        }
    }

    @Override
    public void record(SignatureScheme scheme, String outcome, String error, long nanos) {
        MeterRegistry meters = registry();
        if (meters != null) {
            HookguardMetrics.handling(meters, scheme, outcome, error, nanos);
        }
    }

    @Override
    public void handled(SignatureScheme scheme) {
        count("hookguard.inbox.handled", scheme);
    }

    @Override
    public void retried(SignatureScheme scheme) {
        count("hookguard.inbox.retried", scheme);
    }

    @Override
    public void deadLettered(SignatureScheme scheme) {
        count("hookguard.inbox.dead.lettered", scheme);
    }
}
