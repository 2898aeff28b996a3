package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;

/**
 * Told how each delivery ended, for metrics: an observer ({@link DeliveryObserver}) told only the end, from the same
 * one settlement, so the two never disagree. Called where the delivery settles; must be quick and must not throw.
 */
@FunctionalInterface
public interface DeliveryListener {

    /**
     * @param scheme        the sender's scheme
     * @param status        the status answered; {@code 0} when the peer went away mid-body ({@code abandoned})
     * @param code          the result's code: the problem's code ({@code signature_mismatch}, ...), {@code handled},
     *                      {@code duplicate}, {@code stored}, {@code abandoned} or {@code downstream_<status>}
     * @param handlingNanos how long the application's handler took; {@code -1} when it did not run
     */
    void delivered(SignatureScheme scheme, int status, String code, long handlingNanos);
}
