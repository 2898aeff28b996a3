package dev.hookguard.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller parameter that receives what Hookguard verified for this request: a {@code MauticBatch},
 * a {@code WorkflowSession}, the {@code Delivery}, or the raw body as {@code byte[]}. Never parsed twice.
 *
 * <pre>{@code
 * @PostMapping("/webhooks/mautic")
 * ResponseEntity<Void> receive(@VerifiedWebhook MauticBatch batch) { ... }
 * }</pre>
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface VerifiedWebhook {
}
