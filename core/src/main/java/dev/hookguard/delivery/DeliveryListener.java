package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;

/**
 * Told how each delivery ended, for metrics. Called on the request thread; must be quick and must not throw.
 */
@FunctionalInterface
public interface DeliveryListener {

    /**
     * @param scheme        the sender's scheme
     * @param status        the status answered
     * @param code          the problem's code ({@code signature_mismatch}, ...), {@code handled} or {@code duplicate}
     * @param handlingNanos how long the application's handler took; {@code -1} when it did not run
     */
    void delivered(SignatureScheme scheme, int status, String code, long handlingNanos);
}
