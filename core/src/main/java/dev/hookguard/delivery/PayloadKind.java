package dev.hookguard.delivery;

import dev.hookguard.malcolm.MalcolmPayloads;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.mautic.MauticPayloads;
import dev.hookguard.signature.SignatureScheme;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.hookguard.delivery.spi.InboxDelivery;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

/** What differs between the senders once a signature is verified: parsing and idempotency keys. */
interface PayloadKind<T> {

    T parse(Delivery delivery);

    /** The keys that must be claimed, distinct, in body order. */
    List<String> keys(T payload);

    /** The payload narrowed to the events whose keys were claimed now (called only when some were not). */
    T only(T payload, Set<String> claimed);

    /** What typed routes are offered, in body order: a batch's events, or the session itself. */
    List<?> parts(T payload);

    /** The delivery's event type for observations: one of a small, bounded set (see {@link DeliveryObserver.Settlement}). */
    String eventType(T payload);

    /**
     * The payload as an inbox stores it: one standalone body per distinct key, in body order, each built from the
     * exact bytes of its part, so that storage grows with the bytes received and a worker parses one part.
     */
    List<InboxDelivery.Part> split(T payload, String tenantPrefix, byte[] body);

    PayloadKind<MauticBatch> MAUTIC = new PayloadKind<>() {
        @Override
        public MauticBatch parse(Delivery delivery) {
            return MauticPayloads.parse(delivery.body());
        }

        @Override
        public List<String> keys(MauticBatch batch) {
            Set<String> keys = new LinkedHashSet<>();
            for (MauticEvent event : batch.events()) {
                keys.add(event.idempotencyKey());
            }
            return List.copyOf(keys);
        }

        @Override
        public List<?> parts(MauticBatch batch) {
            return batch.events();
        }

        @Override
        public String eventType(MauticBatch batch) {
            String type = "none";
            for (MauticEvent event : batch.events()) {
                // An unknown type is the sender's own string: kept out, so the tag's values stay a known, small set.
                String each = event instanceof dev.hookguard.mautic.UnknownEvent ? "unknown" : event.type();
                if (type.equals("none")) {
                    type = each;
                } else if (!type.equals(each)) {
                    return "mixed";
                }
            }
            return type;
        }

        @Override
        public List<InboxDelivery.Part> split(MauticBatch batch, String tenantPrefix, byte[] body) {
            Map<String, InboxDelivery.Part> parts = new LinkedHashMap<>();
            for (MauticEvent event : batch.events()) {
                String key = tenantPrefix + event.idempotencyKey();
                if (parts.containsKey(key)) {
                    continue;
                }
                // A "Send Test Payload" body is small and its events read the top-level timestamp: each part keeps
                // it whole, narrowed to the part by key when handled.
                byte[] part = batch.isTestPayload() || batch.size() == 1 ? body : alone(event);
                parts.put(key, new InboxDelivery.Part(key, event.type(), part));
            }
            return List.copyOf(parts.values());
        }

        /** {@code {"<type>":[<the event's exact bytes>]}}: a queue-mode body of one event. */
        private byte[] alone(MauticEvent event) {
            byte[] type = JsonStringEncoder.getInstance().quoteAsUTF8(event.type());
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(event.raw().length() + type.length + 8);
            out.write('{');
            out.write('"');
            out.writeBytes(type);
            out.writeBytes(new byte[] {'"', ':', '['});
            try {
                event.raw().writeTo(out);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            out.writeBytes(new byte[] {']', '}'});
            return out.toByteArray();
        }

        @Override
        public MauticBatch only(MauticBatch batch, Set<String> claimed) {
            return new MauticBatch(batch.events().stream().filter(e -> claimed.contains(e.idempotencyKey())).toList(),
                    batch.testTimestamp(), batch.raw());
        }
    };

    PayloadKind<WorkflowSession> MALCOLM = new PayloadKind<>() {
        @Override
        public WorkflowSession parse(Delivery delivery) {
            return MalcolmPayloads.parse(delivery.body(), delivery.headers().get(SignatureScheme.MALCOLM.tenantHeader()));
        }

        @Override
        public List<String> keys(WorkflowSession session) {
            return List.of(session.idempotencyKey());
        }

        @Override
        public List<?> parts(WorkflowSession session) {
            return List.of(session);
        }

        @Override
        public String eventType(WorkflowSession session) {
            // Malcolm! sends one kind of webhook only.
            return "workflow_session";
        }

        @Override
        public List<InboxDelivery.Part> split(WorkflowSession session, String tenantPrefix, byte[] body) {
            return List.of(new InboxDelivery.Part(tenantPrefix + session.idempotencyKey(), "workflow_session", body));
        }

        @Override
        public WorkflowSession only(WorkflowSession session, Set<String> claimed) {
            return session;
        }
    };
}
