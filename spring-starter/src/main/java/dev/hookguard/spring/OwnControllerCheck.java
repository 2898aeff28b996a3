package dev.hookguard.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Predicate;

/** Whether the application maps a controller of its own to a webhook request. */
interface OwnControllerCheck extends Predicate<HttpServletRequest> {

    /** Spring MVC's mappings when Spring MVC is there; else no controller can take a request. */
    static OwnControllerCheck of(org.springframework.context.ApplicationContext context) {
        if (org.springframework.util.ClassUtils.isPresent("org.springframework.web.servlet.HandlerMapping", context.getClassLoader())) {
            return ControllerLookup.of(context);
        }
        return request -> false;
    }
}
