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
     * Answers a verified delivery that nothing in the application handles (no controller, servlet or listener
     * took it): its idempotency keys are released, never marked done, and the answer is a 404 problem, so it is
     * handled when it arrives where something takes it (the rule is core's {@code Accepted#notHandled}).
     *
     * @throws IllegalStateException when no filter verified this request
     */
    public static void notHandled(ServletRequest request, jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
        WebhookVerificationFilter.write(response, admission(request).notHandled());
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
