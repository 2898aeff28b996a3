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
     * Whether every part's key is text a database column holds as it is: no NUL character (PostgreSQL's text refuses
     * one) and no unpaired surrogate (UTF-8 cannot encode one). The keys Hookguard derives always are; an inbox refuses
     * a delivery whose keys are not, before its database or a spool, so that it never acknowledges what it cannot store.
     */
    public boolean keysStorable() {
        return parts.stream().allMatch(part -> StorableKeys.storable(part.key()));
    }

    /**
     * One part of a delivery.
     *
     * @param key       its idempotency key, tenant prefix included; of any length (see {@link #keysStorable()})
     * @param eventType its event type (a Mautic type such as {@code mautic.form_on_submit}, or {@code workflow_session})
     * @param body      a body of the same sender that holds this part alone: for a Mautic event, the event's exact
     *                  bytes in an array under its type (and the test payload's timestamp, when there is one); for a
     *                  Malcolm! session, the body as received
     */
    public record Part(String key, String eventType, byte[] body) {

        public Part {
            Objects.requireNonNull(key, "key");
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
