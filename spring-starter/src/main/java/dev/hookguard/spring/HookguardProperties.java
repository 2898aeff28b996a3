package dev.hookguard.spring;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Hookguard's settings, under {@code hookguard}.
 *
 * @param maxBodySize Largest webhook body accepted; longer bodies are answered 413 without being read further.
 * @param mautic      The Mautic endpoint.
 * @param malcolm     The Malcolm! endpoint.
 */
@ConfigurationProperties(prefix = "hookguard")
public record HookguardProperties(
        @DefaultValue("5MB") DataSize maxBodySize,
        @DefaultValue Mautic mautic,
        @DefaultValue Malcolm malcolm) {

    /**
     * The Mautic endpoint.
     *
     * @param enabled Whether to verify Mautic webhooks. By default, when secrets are set.
     * @param path    Path Mautic posts to.
     * @param secrets Webhook secrets currently valid, several while rotating. HOOKGUARD_MAUTIC_SECRETS takes a comma-separated list.
     */
    public record Mautic(Boolean enabled, @DefaultValue("/webhooks/mautic") String path, List<String> secrets) {
    }

    /**
     * The Malcolm! endpoint.
     *
     * @param enabled Whether to verify Malcolm! webhooks. By default, when secrets are set.
     * @param path    Path Malcolm! posts to.
     * @param secrets Secret tokens currently valid, several while rotating. HOOKGUARD_MALCOLM_SECRETS takes a comma-separated list.
     */
    public record Malcolm(Boolean enabled, @DefaultValue("/webhooks/malcolm") String path, List<String> secrets) {
    }
}
