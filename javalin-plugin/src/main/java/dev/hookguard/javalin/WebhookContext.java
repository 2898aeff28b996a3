package dev.hookguard.javalin;

import dev.hookguard.delivery.Delivery;
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
        Object delivery = ctx.attribute(DELIVERY_ATTRIBUTE);
        if (delivery instanceof Delivery d) {
            return d;
        }
        throw new IllegalStateException("no verified webhook on this request: is the path configured in HookguardPlugin?");
    }

    private static <T> T payload(Context ctx, Class<T> type) {
        Object payload = ctx.attribute(PAYLOAD_ATTRIBUTE);
        if (type.isInstance(payload)) {
            return type.cast(payload);
        }
        throw new IllegalStateException(payload == null
                ? "no verified webhook on this request: is the path configured in HookguardPlugin?"
                : "the verified webhook is a " + payload.getClass().getSimpleName() + ", not a " + type.getSimpleName());
    }
}
