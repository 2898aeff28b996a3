package dev.hookguard.spring;

import dev.hookguard.delivery.Delivery;
import dev.hookguard.servlet.WebhookRequests;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Fills {@link VerifiedWebhook} parameters from what the verification filter attached. */
final class VerifiedWebhookArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.hasParameterAnnotation(VerifiedWebhook.class);
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer, NativeWebRequest webRequest,
                                  WebDataBinderFactory binderFactory) {
        HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
        Class<?> type = parameter.getParameterType();
        if (request == null || !WebhookRequests.isVerified(request)) {
            throw new IllegalStateException("@VerifiedWebhook " + type.getSimpleName() + " on a request Hookguard did not verify: "
                    + "map the controller to hookguard.mautic.path or hookguard.malcolm.path");
        }
        Delivery delivery = WebhookRequests.delivery(request);
        if (type == Delivery.class) {
            return delivery;
        }
        if (type == byte[].class) {
            return delivery.body();
        }
        Object payload = request.getAttribute(WebhookRequests.PAYLOAD_ATTRIBUTE);
        if (type.isInstance(payload)) {
            return payload;
        }
        throw new IllegalStateException("@VerifiedWebhook " + type.getSimpleName() + " cannot take the verified "
                + payload.getClass().getSimpleName());
    }
}
