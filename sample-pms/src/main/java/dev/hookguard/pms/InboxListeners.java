package dev.hookguard.pms;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Inbox mode ({@code --hookguard.inbox.enabled=true}): deliveries are stored and answered 202, and the inbox's
 * workers publish them here, one event at a time. Intake's writes join the worker's transaction, so an issue exists
 * if and only if its delivery is done.
 */
@Component
@ConditionalOnProperty(prefix = "hookguard.inbox", name = "enabled", havingValue = "true")
class InboxListeners {

    private final Intake intake;

    InboxListeners(Intake intake) {
        this.intake = intake;
    }

    @EventListener
    public void on(MauticEvent event) {
        // "Send Test Payload" events carry keys of their own kind: recorded as activity, no issue.
        boolean test = event.idempotencyKey().startsWith("mautic-test:");
        intake.receive(new MauticBatch(List.of(event), test ? event.timestamp() : Optional.empty(), event.raw()));
    }

    @EventListener
    public void on(WorkflowSession session) {
        intake.receive(session);
    }
}
