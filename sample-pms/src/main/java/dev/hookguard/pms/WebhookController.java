package dev.hookguard.pms;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.spring.VerifiedWebhook;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The two webhook endpoints. Hookguard's filter has already verified the signature, refused anything forged or
 * malformed, and answered redeliveries; what arrives here is a first-time, typed payload.
 */
@RestController
class WebhookController {

    private final Intake intake;

    WebhookController(Intake intake) {
        this.intake = intake;
    }

    @PostMapping("${hookguard.mautic.path:/webhooks/mautic}")
    ResponseEntity<Void> mautic(@VerifiedWebhook MauticBatch batch) {
        intake.receive(batch);
        return ResponseEntity.ok().build();
    }

    @PostMapping("${hookguard.malcolm.path:/webhooks/malcolm}")
    ResponseEntity<Void> malcolm(@VerifiedWebhook WorkflowSession session) {
        intake.receive(session);
        return ResponseEntity.ok().build();
    }
}
