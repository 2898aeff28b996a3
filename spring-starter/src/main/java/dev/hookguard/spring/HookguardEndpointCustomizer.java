package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookEndpoint;

/**
 * Adjusts each endpoint the starter builds (body limit, listeners, retry-after, ...) before it is built.
 * Check {@link WebhookEndpoint.Builder#scheme()} to tell Mautic's from Malcolm!'s.
 */
@FunctionalInterface
public interface HookguardEndpointCustomizer {

    void customize(WebhookEndpoint.Builder<?> builder);
}
