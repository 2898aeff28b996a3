package dev.hookguard.freshapp;

import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.spring.VerifiedWebhook;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The application start.spring.io generates, plus one controller that answers with what Hookguard verified. */
@SpringBootApplication
public class FreshApplication {

    public static void main(String[] args) {
        SpringApplication.run(FreshApplication.class, args);
    }

    @RestController
    static class Webhooks {

        @PostMapping("/webhooks/mautic")
        List<FormSubmitted> mautic(@VerifiedWebhook MauticBatch batch) {
            return batch.eventsOf(FormSubmitted.class);
        }

        @PostMapping("/webhooks/malcolm")
        WorkflowSession malcolm(@VerifiedWebhook WorkflowSession session) {
            return session;
        }
    }
}
