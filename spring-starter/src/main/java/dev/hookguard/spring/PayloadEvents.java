package dev.hookguard.spring;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import org.springframework.context.ApplicationContext;

/**
 * Events style, in either mode: a verified payload published as the application's events (each Mautic event as
 * its typed record, the Malcolm! session as itself), but only when a listener takes some of it.
 */
final class PayloadEvents {

    private final ApplicationContext context;
    private final ListenerLookup listeners;

    PayloadEvents(ApplicationContext context) {
        this.context = context;
        this.listeners = new ListenerLookup(context);
    }

    /** Publishes the payload; false, publishing nothing, when no listener takes any of it. */
    boolean publish(Object payload) {
        if (payload instanceof MauticBatch batch) {
            if (batch.events().stream().noneMatch(event -> listeners.hasListenerFor(event.getClass()))) {
                return false;
            }
            for (MauticEvent event : batch.events()) {
                context.publishEvent(event);
            }
            return true;
        }
        if (payload instanceof WorkflowSession session && listeners.hasListenerFor(WorkflowSession.class)) {
            context.publishEvent(session);
            return true;
        }
        return false;
    }
}
