package dev.hookguard.pms;

import dev.hookguard.delivery.DeliveryListener;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.spring.HookguardEndpointCustomizer;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The last deliveries and how each ended (handled, duplicate, refused and why), for the page: what a newcomer
 * watching the demo wants to see without reading the console. Hooked into both endpoints as a delivery listener.
 */
@Component
class RecentDeliveries implements HookguardEndpointCustomizer, DeliveryListener {

    /** One delivery's end: never its body, a secret or a signature. */
    record Entry(OffsetDateTime at, String sender, int status, String outcome) {
    }

    static final int KEPT = 50;

    private final Deque<Entry> entries = new ArrayDeque<>();

    @Override
    public void customize(dev.hookguard.delivery.WebhookEndpoint.Builder<?> builder) {
        builder.listener(this);
    }

    @Override
    public void delivered(SignatureScheme scheme, int status, String code, long handlingNanos) {
        synchronized (entries) {
            entries.addFirst(new Entry(OffsetDateTime.now(), scheme.id(), status, code));
            while (entries.size() > KEPT) {
                entries.removeLast();
            }
        }
    }

    /** Newest first. */
    List<Entry> newestFirst() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }
}
