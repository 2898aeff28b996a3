package dev.hookguard.spring;

import dev.hookguard.servlet.WebhookRequests;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Behind the verification filter: when the application has no controller of its own for the path, publishes
 * every verified Mautic event as its typed record, or the Malcolm! session, and answers 200 once every listener
 * returned. A listener that throws fails the delivery (500, key released); a delivery that no listener takes is
 * answered 404 and released, never acknowledged.
 */
final class EventPublishingFilter extends OncePerRequestFilter {

    private final PayloadEvents events;
    private final OwnControllerCheck hasOwnController;

    EventPublishingFilter(PayloadEvents events, OwnControllerCheck hasOwnController) {
        this.events = events;
        this.hasOwnController = hasOwnController;
    }

    /** Verified deliveries reach it on the dispatch that follows a non-blocking body read. */
    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!WebhookRequests.isVerified(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (hasOwnController.test(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (!events.publish(request.getAttribute(WebhookRequests.PAYLOAD_ATTRIBUTE))) {
            WebhookRequests.notHandled(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentLength(0);
    }
}
