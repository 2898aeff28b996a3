package dev.hookguard.javalin;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.delivery.VerifiedPayloads;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import io.javalin.http.Context;

/**
 * Reads what {@link HookguardPlugin} verified for a request, in the application's own route handler.
 *
 * <pre>{@code
 * cfg.routes.post("/webhooks/mautic", ctx -> {
 *     MauticBatch batch = WebhookContext.mauticBatch(ctx);
 *     ...
 * });
 * }</pre>
 */
public final class WebhookContext {

    static final String ADMISSION_ATTRIBUTE = "dev.hookguard.admission";
    static final String PAYLOAD_ATTRIBUTE = "dev.hookguard.payload";
    static final String DELIVERY_ATTRIBUTE = "dev.hookguard.delivery";
    private static final String HINT = "is the path configured in HookguardPlugin?";

    private WebhookContext() {
    }

    /**
     * The verified Mautic batch, without events that were handled before.
     *
     * @throws IllegalStateException when the plugin verified no Mautic delivery on this request
     */
    public static MauticBatch mauticBatch(Context ctx) {
        return payload(ctx, MauticBatch.class);
    }

    /**
     * The verified Malcolm! session.
     *
     * @throws IllegalStateException when the plugin verified no Malcolm! delivery on this request
     */
    public static WorkflowSession workflowSession(Context ctx) {
        return payload(ctx, WorkflowSession.class);
    }

    /**
     * The verified delivery: the exact body bytes and the headers.
     *
     * @throws IllegalStateException when the plugin verified nothing on this request
     */
    public static Delivery delivery(Context ctx) {
        return VerifiedPayloads.as(ctx.attribute(DELIVERY_ATTRIBUTE), Delivery.class, HINT);
    }

    private static <T> T payload(Context ctx, Class<T> type) {
        return VerifiedPayloads.as(ctx.attribute(PAYLOAD_ATTRIBUTE), type, HINT);
    }
}
