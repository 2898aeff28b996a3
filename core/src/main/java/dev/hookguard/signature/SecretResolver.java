package dev.hookguard.signature;

import java.util.List;

/**
 * Chooses the secrets that are current for a delivery, from the tenant header the sender put on it
 * ({@code X-Instance-Id} for Malcolm!, {@code X-Origin-Base-URL} for Mautic). That header is not
 * authenticated, but the signature check that follows proves the choice.
 */
@FunctionalInterface
public interface SecretResolver {

    /**
     * @param tenant the tenant header's value, or {@code null} when the delivery has none
     * @return the secrets to try, empty when this tenant is unknown; never {@code null}
     */
    List<String> secretsFor(String tenant);
}
