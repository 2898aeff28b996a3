package dev.hookguard.javalin;

import dev.hookguard.delivery.Accepted;
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
        return admission(ctx).delivery();
    }

    private static <T> T payload(Context ctx, Class<T> type) {
        return admission(ctx).payloadAs(type);
    }

    private static Accepted<?> admission(Context ctx) {
        if (ctx.attribute(ADMISSION_ATTRIBUTE) instanceof Accepted<?> admission) {
            return admission;
        }
        throw new IllegalStateException("no verified webhook on this request: " + HINT);
    }
}
