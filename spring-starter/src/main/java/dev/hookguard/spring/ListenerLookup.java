package dev.hookguard.spring;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.GenericApplicationListener;
import org.springframework.context.event.GenericApplicationListenerAdapter;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * Whether anything in the application listens for a payload published as an event: {@code @EventListener}
 * methods and {@code ApplicationListener} beans. Publishing tells nobody whether someone listened, and a delivery
 * that nothing handles must not be acknowledged.
 */
final class ListenerLookup {

    private final ApplicationContext context;

    ListenerLookup(ApplicationContext context) {
        this.context = context;
    }

    boolean hasListenerFor(Class<?> payloadType) {
        ResolvableType event = ResolvableType.forClassWithGenerics(PayloadApplicationEvent.class, payloadType);
        if (context instanceof AbstractApplicationContext own) {
            // @EventListener methods are registered as listener objects, not beans.
            for (ApplicationListener<?> listener : own.getApplicationListeners()) {
                if (supports(listener, event)) {
                    return true;
                }
            }
        }
        for (ApplicationListener<?> listener : context.getBeansOfType(ApplicationListener.class, false, false).values()) {
            if (supports(listener, event)) {
                return true;
            }
        }
        return false;
    }

    private static boolean supports(ApplicationListener<?> listener, ResolvableType event) {
        GenericApplicationListener generic = listener instanceof GenericApplicationListener g ? g : new GenericApplicationListenerAdapter(listener);
        return generic.supportsEventType(event);
    }
}
