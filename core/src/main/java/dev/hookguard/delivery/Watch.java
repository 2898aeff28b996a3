package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One delivery, from the moment its request arrives to its one settlement: the single place where everything that
 * watches deliveries is told (observers, listeners through {@link #observing}, the refusal's log line). Whatever way a
 * delivery ends (refused, duplicate, stored, handled, failed, abandoned), it settles here once, so metrics and traces
 * cannot disagree.
 */
final class Watch {

    private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());

    private final SignatureScheme scheme;
    private final String remote;
    private final List<DeliveryObserver.Settlement> settlements;
    private final AtomicBoolean settled = new AtomicBoolean();
    // Set on the parsing thread; read where the delivery settles, which may be a container thread after a dispatch.
    private volatile String eventType = "none";

    private Watch(SignatureScheme scheme, String remote, List<DeliveryObserver.Settlement> settlements) {
        this.scheme = scheme;
        this.remote = remote;
        this.settlements = settlements;
    }

    /** A request arrived: each observer is told now (nothing of it has been read). */
    static Watch start(List<DeliveryObserver> observers, SignatureScheme scheme, String remote) {
        List<DeliveryObserver.Settlement> settlements = observers.isEmpty() ? List.of() : new ArrayList<>(observers.size());
        for (DeliveryObserver observer : observers) {
            try {
                settlements.add(java.util.Objects.requireNonNull(observer.arrived(scheme), "settlement"));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "a delivery observer failed: " + e.getClass().getName());
            }
        }
        return new Watch(scheme, remote, settlements);
    }

    /** A listener, told only the end, as an observer: both are fed from {@link #settle}, the one place. */
    static DeliveryObserver observing(DeliveryListener listener) {
        return scheme -> new DeliveryObserver.Settlement() {
            @Override
            public void settled(int status, String code, String eventType) {
                listener.delivered(scheme, status, code, -1);
            }

            @Override
            public void settled(DeliveryObserver.Settled settled) {
                listener.delivered(scheme, settled.status(), settled.code(), settled.handlingNanos());
            }
        };
    }

    SignatureScheme scheme() {
        return scheme;
    }

    void eventType(String eventType) {
        this.eventType = eventType;
    }

    /** Settles a refused, duplicate or stored admission now; an accepted one settles when it is completed. */
    <T> Admission<T> decided(Admission<T> admission) {
        admission.outcome().ifPresent(this::settle);
        return admission;
    }

    /** Settles with the outcome that is answered. */
    Outcome settle(Outcome outcome) {
        settle(outcome.result(), outcome.status(), -1, null);
        return outcome;
    }

    /**
     * Tells everything watching how the delivery ended; only the first call counts.
     *
     * @param status        what was answered; 0 when nothing was (the peer went away)
     * @param handlingNanos how long the application's handling took; -1 when it did not run
     * @param failure       what the handling threw, or {@code null}
     */
    void settle(Outcome.Result result, int status, long handlingNanos, Throwable failure) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        if (result instanceof Outcome.Refused refused && refused.refusal().refusesTheRequest()) {
            // The reason and the peer only: never the body, a secret or a signature.
            LOG.log(System.Logger.Level.WARNING, () -> "refused " + scheme.id() + " delivery from " + remote + ": " + status + " "
                    + refused.code());
        }
        if (settlements.isEmpty()) {
            return;
        }
        DeliveryObserver.Settled settledAs = new DeliveryObserver.Settled(scheme, status, result, eventType, handlingNanos,
                java.util.Optional.ofNullable(failure));
        for (DeliveryObserver.Settlement settlement : settlements) {
            try {
                settlement.settled(settledAs);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "a delivery observer failed: " + e.getClass().getName());
            }
        }
    }
}
