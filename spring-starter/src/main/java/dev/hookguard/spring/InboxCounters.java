package dev.hookguard.spring;

import dev.hookguard.inbox.InboxListener;
import dev.hookguard.inbox.JdbcInbox;
import dev.hookguard.signature.SignatureScheme;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.ApplicationContext;

/** Counts what the inbox's workers do, by sender: handled, retried, dead-lettered. Loaded only with Micrometer. */
final class InboxCounters implements InboxListener {

    private final ApplicationContext context;
    private volatile MeterRegistry registry;

    private InboxCounters(ApplicationContext context) {
        this.context = context;
    }

    static void register(JdbcInbox.Builder builder, ApplicationContext context) {
        builder.listener(new InboxCounters(context));
    }

    private void count(String name, SignatureScheme scheme) {
        MeterRegistry meters = registry;
        if (meters == null) {
            // Looked up at the first count: the registry may be created after the inbox.
            meters = context.getBeanProvider(MeterRegistry.class).getIfAvailable();
            if (meters == null) {
                return;
            }
            registry = meters;
        }
        Counter.builder(name).tag("sender", scheme.id()).register(meters).increment();
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
