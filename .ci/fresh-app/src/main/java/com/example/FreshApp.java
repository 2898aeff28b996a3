package com.example;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.servlet.WebhookVerificationFilter;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.WebhookSigner;
import java.util.concurrent.atomic.AtomicInteger;

/** Compiles against every published module; runs with hookguard-core alone: one signed delivery, handled. */
public final class FreshApp {

    /** Named so that the compiler resolves the adapters' and the inbox's types from the repository; never run here. */
    static Class<?>[] adapters() {
        return new Class<?>[] {WebhookVerificationFilter.class, HookguardPlugin.class, dev.hookguard.inbox.JdbcInbox.class,
                dev.hookguard.spring.VerifiedWebhook.class, dev.hookguard.sender.MauticSender.class};
    }

    public static void main(String[] args) throws java.io.IOException {
        AtomicInteger forms = new AtomicInteger();
        WebhookEndpoint<MauticBatch> mautic = WebhookEndpoint.mautic().secrets("fresh-app-secret")
                .on(FormSubmitted.class, form -> forms.incrementAndGet()).build();
        byte[] body;
        try (var in = FreshApp.class.getResourceAsStream("/form_on_submit.json")) {
            // a real Mautic form_on_submit event, in the body Mautic sends: events by type
            body = ("{\"mautic.form_on_submit\":[" + new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip() + "]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        Outcome outcome = mautic.process(new Delivery("POST", Headers.of("Webhook-Signature",
                WebhookSigner.sign(SignatureScheme.MAUTIC, "fresh-app-secret", body)), body, "127.0.0.1"));
        System.out.println("fresh app: " + outcome.status() + ", " + forms.get() + " form(s) handled");
        if (outcome.status() != 200 || forms.get() != 1) {
            System.exit(1);
        }
    }
}
