package dev.hookguard.servlet;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.Delivery;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import jakarta.servlet.ServletRequest;

/**
 * Reads what {@link WebhookVerificationFilter} attached to a verified request.
 *
 * <pre>{@code
 * MauticBatch batch = WebhookRequests.mauticBatch(request);
 * }</pre>
 */
public final class WebhookRequests {

    /** Request attribute holding the typed payload ({@link MauticBatch} or {@link WorkflowSession}). */
    public static final String PAYLOAD_ATTRIBUTE = "dev.hookguard.payload";

    /** Request attribute holding the {@link Delivery} (raw bytes and headers) that was verified. */
    public static final String DELIVERY_ATTRIBUTE = "dev.hookguard.delivery";

    /** Request attribute holding the filter's {@link Accepted} delivery. */
    static final String ADMISSION_ATTRIBUTE = "dev.hookguard.admission";

    /** Request attribute set by {@link #notHandled}: the filter's exchange rule then answers 404 {@code not_handled}. */
    static final String NOT_HANDLED_ATTRIBUTE = "dev.hookguard.not-handled";

    private static final String HINT = "is WebhookVerificationFilter mapped to its path?";

    private WebhookRequests() {
    }

    /**
     * The verified Mautic batch, without events that were handled before.
     *
     * @throws IllegalStateException when no Mautic filter verified this request
     */
    public static MauticBatch mauticBatch(ServletRequest request) {
        return payload(request, MauticBatch.class);
    }

    /**
     * The verified Malcolm! session.
     *
     * @throws IllegalStateException when no Malcolm! filter verified this request
     */
    public static WorkflowSession workflowSession(ServletRequest request) {
        return payload(request, WorkflowSession.class);
    }

    /**
     * The verified delivery: its exact body bytes and headers.
     *
     * @throws IllegalStateException when no filter verified this request
     */
    public static Delivery delivery(ServletRequest request) {
        return admission(request).delivery();
    }

    /** Whether a filter verified this request. */
    public static boolean isVerified(ServletRequest request) {
        return request.getAttribute(PAYLOAD_ATTRIBUTE) != null;
    }

    /**
     * Says that nothing in the application handles this verified delivery (no controller, servlet or listener took
     * it): when the chain returns, the filter answers 404 {@code not_handled} and releases its idempotency keys, never
     * marking them done, so it is handled when it arrives where something takes it. Write nothing else.
     *
     * @throws IllegalStateException when no filter verified this request
     */
    public static void notHandled(ServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
        admission(request);
        request.setAttribute(NOT_HANDLED_ATTRIBUTE, Boolean.TRUE);
    }

    private static <T> T payload(ServletRequest request, Class<T> type) {
        return admission(request).payloadAs(type);
    }

    private static Accepted<?> admission(ServletRequest request) {
        if (request.getAttribute(ADMISSION_ATTRIBUTE) instanceof Accepted<?> admission) {
            return admission;
        }
        throw new IllegalStateException("no verified webhook on this request: " + HINT);
    }
}
