package dev.hookguard.delivery;

import dev.hookguard.signature.SignatureScheme;
import java.util.List;
import java.util.Objects;

/**
 * A verified delivery as an inbox keeps it: the exact body and headers, and one idempotency key per part (each
 * Mautic event, or the Malcolm! session), each prefixed with {@link #tenant()}.
 *
 * @param scheme  the sender
 * @param tenant  the prefix of every key that names the tenant whose secrets verified it ({@code ""} without a resolver)
 * @param keys    the parts' idempotency keys, distinct, in body order
 * @param body    the body, exactly as received
 * @param headers the headers as received (the handlers may read {@code X-Instance-Id})
 */
public record InboxDelivery(SignatureScheme scheme, String tenant, List<String> keys, byte[] body, Headers headers) {

    public InboxDelivery {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(tenant, "tenant");
        keys = List.copyOf(keys);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(headers, "headers");
    }
}
