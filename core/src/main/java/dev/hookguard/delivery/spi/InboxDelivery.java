package dev.hookguard.delivery.spi;

import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.delivery.Headers;
import dev.hookguard.internal.StorableKeys;
import java.util.List;
import java.util.Objects;

/**
 * A verified delivery as an inbox keeps it: one {@link Part} per idempotency key (each Mautic event, or the
 * Malcolm! session), each holding its own standalone body built from the exact bytes the sender signed, so that
 * an inbox stores a batch's bytes once and a worker parses only the part it handles.
 *
 * @param scheme  the sender
 * @param tenant  the prefix of every key that names the tenant whose secrets verified it ({@code ""} without a resolver)
 * @param parts   the parts, distinct by key, in body order
 * @param body    the whole body, exactly as received (for inboxes that keep deliveries whole)
 * @param headers the headers as received (the handlers may read {@code X-Instance-Id})
 */
public record InboxDelivery(SignatureScheme scheme, String tenant, List<Part> parts, byte[] body, Headers headers) {

    public InboxDelivery {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(tenant, "tenant");
        parts = List.copyOf(parts);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(headers, "headers");
    }

    /** The parts' idempotency keys, in body order. */
    public List<String> keys() {
        return parts.stream().map(Part::key).toList();
    }

    /**
     * One part of a delivery.
     *
     * @param key       its idempotency key, tenant prefix included; of any length, with no NUL character and no
     *                  unpaired surrogate (text a database column holds as it is: the keys Hookguard derives are)
     * @param eventType its event type (a Mautic type such as {@code mautic.form_on_submit}, or {@code workflow_session})
     * @param body      a body of the same sender that holds this part alone: for a Mautic event, the event's exact
     *                  bytes in an array under its type (and the test payload's timestamp, when there is one); for a
     *                  Malcolm! session, the body as received
     */
    public record Part(String key, String eventType, byte[] body) {

        public Part {
            Objects.requireNonNull(key, "key");
            if (!StorableKeys.storable(key)) {
                // Refused here, before a database or a spool: a key no column holds would be acknowledged and never stored.
                throw new IllegalArgumentException("a part's key must hold no NUL character and no unpaired surrogate");
            }
            Objects.requireNonNull(eventType, "eventType");
            Objects.requireNonNull(body, "body");
        }

        /** Without the body, which may hold personal data. */
        @Override
        public String toString() {
            return "Part[" + key + ", " + eventType + ", " + body.length + " bytes]";
        }
    }
}
