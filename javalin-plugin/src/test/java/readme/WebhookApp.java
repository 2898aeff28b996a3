package readme;

import dev.hookguard.javalin.HookguardPlugin;
import dev.hookguard.javalin.WebhookContext;
import dev.hookguard.malcolm.Value;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.Contact;
import dev.hookguard.mautic.ContactIdentified;
import dev.hookguard.mautic.Form;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import io.javalin.Javalin;

public final class WebhookApp {
    public static void main(String[] args) {
        Javalin.create(cfg -> {
            cfg.registerPlugin(new HookguardPlugin(hookguard -> hookguard
                    .mauticEndpoint("/webhooks/mautic", endpoint -> endpoint.secretsFromEnvironment("HOOKGUARD_MAUTIC_SECRETS"))
                    .malcolmEndpoint("/webhooks/malcolm", endpoint -> endpoint.secretsFromEnvironment("HOOKGUARD_MALCOLM_SECRETS"))
                    .maxBodyBytes(1 << 20)
                    // Handlers for Mautic: the endpoint answers /webhooks/mautic itself.
                    .onMautic(FormSubmitted.class, form ->
                            System.out.println("form " + form.submission().form().flatMap(Form::name).orElse("?")
                                    + " from " + form.submission().result("email").orElse("?")))
                    .onMautic(ContactIdentified.class, c -> System.out.println("new contact " + c.contact().flatMap(Contact::email).orElse("?")))));

            // No Malcolm! handlers: our own route on /webhooks/malcolm runs for verified, first-time deliveries.
            cfg.routes.post("/webhooks/malcolm", ctx -> {
                WorkflowSession session = WebhookContext.workflowSession(ctx);
                byte[] exactBytes = WebhookContext.delivery(ctx).body();
                System.out.println(session.label() + ": " + session.value("email").flatMap(Value::asText).orElse("?"));
                ctx.status(204);
            });
        }).start(7070);
    }
}
