package dev.hookguard.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/** Whether one of the application's own {@code @RequestMapping}s takes a request. */
final class ControllerLookup implements OwnControllerCheck {

    private final ObjectProvider<HandlerMapping> provider;
    private volatile List<HandlerMapping> mappings;

    ControllerLookup(ObjectProvider<HandlerMapping> provider) {
        this.provider = provider;
    }

    static ControllerLookup of(org.springframework.context.ApplicationContext context) {
        return new ControllerLookup(context.getBeanProvider(HandlerMapping.class));
    }

    @Override
    public boolean test(HttpServletRequest request) {
        // Filters start before the DispatcherServlet's mappings exist: look them up at the first delivery.
        List<HandlerMapping> mappings = this.mappings;
        if (mappings == null) {
            mappings = provider.orderedStream().filter(RequestMappingInfoHandlerMapping.class::isInstance).toList();
            this.mappings = mappings;
        }
        boolean parsedHere = false;
        if (!ServletRequestPathUtils.hasParsedRequestPath(request)) {
            ServletRequestPathUtils.parseAndCache(request);
            parsedHere = true;
        }
        try {
            for (HandlerMapping mapping : mappings) {
                try {
                    HandlerExecutionChain handler = mapping.getHandler(request);
                    if (handler != null) {
                        return true;
                    }
                } catch (Exception partialMatch) {
                    // A mapping for this path that refuses the request (media type, params) is still the app's own.
                    return true;
                }
            }
            return false;
        } finally {
            if (parsedHere) {
                ServletRequestPathUtils.clearParsedRequestPath(request);
            }
        }
    }
}
