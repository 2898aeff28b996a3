package dev.hookguard.spring;

import dev.hookguard.delivery.WebhookPipeline;

/**
 * Adjusts each pipeline the starter builds (body limit, listeners, retry-after, ...) before it is built.
 * Check {@link WebhookPipeline.Builder#scheme()} to tell Mautic's from Malcolm!'s.
 */
@FunctionalInterface
public interface HookguardPipelineCustomizer {

    void customize(WebhookPipeline.Builder<?> builder);
}
