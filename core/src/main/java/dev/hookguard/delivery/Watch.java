package dev.hookguard.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** One delivery's {@link DeliveryObserver.Settlement}s, from arrival to the one settlement they are told of. */
final class Watch {

    /** For endpoints without observers: nothing to tell, nothing allocated per delivery. */
    static final Watch NONE = new Watch(List.of());

    private static final System.Logger LOG = System.getLogger(Watch.class.getName());

    private final List<DeliveryObserver.Settlement> settlements;
    private final AtomicBoolean settled = new AtomicBoolean();
    // Set on the parsing thread; read where the delivery settles, which may be a container thread after a dispatch.
    private volatile String eventType = "none";

    private Watch(List<DeliveryObserver.Settlement> settlements) {
        this.settlements = settlements;
    }

    static Watch start(List<DeliveryObserver> observers, dev.hookguard.signature.SignatureScheme scheme) {
        if (observers.isEmpty()) {
            return NONE;
        }
        List<DeliveryObserver.Settlement> settlements = new ArrayList<>(observers.size());
        for (DeliveryObserver observer : observers) {
            try {
                settlements.add(java.util.Objects.requireNonNull(observer.arrived(scheme), "settlement"));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "a delivery observer failed: " + e.getClass().getName());
            }
        }
        return new Watch(settlements);
    }

    void eventType(String eventType) {
        if (this != NONE) {
            this.eventType = eventType;
        }
    }

    /** Settles from a refusal, a duplicate or a stored delivery; an accepted one settles when it is completed. */
    <T> Admission<T> decided(Admission<T> admission) {
        admission.outcome().ifPresent(this::settle);
        return admission;
    }

    /** Settles with a finished outcome: a refusal's code, else 202 stored or 200 duplicate. */
    Outcome settle(Outcome outcome) {
        settle(outcome.status(), outcome.problem().map(Problem::code).orElse(outcome.status() == 202 ? "stored" : "duplicate"));
        return outcome;
    }

    /** Only the first call counts. */
    void settle(int status, String code) {
        if (settlements.isEmpty() || !settled.compareAndSet(false, true)) {
            return;
        }
        String type = eventType;
        for (DeliveryObserver.Settlement settlement : settlements) {
            try {
                settlement.settled(status, code, type);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "a delivery observer failed: " + e.getClass().getName());
            }
        }
    }
}
