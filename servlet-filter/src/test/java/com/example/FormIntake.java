package com.example;

import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;

/** The README's handler for web.xml, as printed there (ReadmeWebXmlTest checks the two stay the same). */
public final class FormIntake implements WebhookHandler<MauticBatch> {
    @Override
    public void handle(MauticBatch batch) {
        for (FormSubmitted form : batch.eventsOf(FormSubmitted.class)) {
            System.out.println("form submission " + form.submission().id().orElse(-1L));
        }
    }
}
