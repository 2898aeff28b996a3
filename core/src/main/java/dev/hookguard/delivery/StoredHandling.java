package dev.hookguard.delivery;

import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.internal.StorableKeys;
import dev.hookguard.signature.SignatureScheme;
import java.util.List;
import java.util.Set;

/** An endpoint's handlers over stored parts, for an inbox's workers: the handlers without the endpoint. */
final class StoredHandling<T> implements StoredHandler {

    private final SignatureScheme scheme;
    private final PayloadKind<T> kind;
    private final Routes<T> routes;
    private final HandlerFailureLog failures;

    StoredHandling(SignatureScheme scheme, PayloadKind<T> kind, Routes<T> routes, HandlerFailureLog failures) {
        this.scheme = scheme;
        this.kind = kind;
        this.routes = routes;
        this.failures = failures;
    }

    @Override
    public SignatureScheme scheme() {
        return scheme;
    }

    @Override
    public boolean handle(byte[] body, Headers headers, String tenant, String key) throws Exception {
        T payload = kind.parse(new Delivery("POST", headers, body, "inbox"));
        if (!key.startsWith(tenant)) {
            throw new IllegalArgumentException("the key does not carry the tenant it was stored with");
        }
        String wanted = key.substring(tenant.length());
        List<String> keys = kind.keys(payload);
        // A row stored before keys were made storable keeps the sender's text, NUL or unpaired surrogate included, which
        // the key derived today replaces by its digest: a body of one part is still the part it was stored under.
        if (!keys.contains(wanted) && !(keys.size() == 1 && !StorableKeys.storable(wanted))) {
            throw new IllegalStateException("the stored body holds no part with the key it was stored under");
        }
        T part = keys.size() > 1 ? kind.only(payload, Set.of(wanted)) : payload;
        try {
            return routes.dispatch(part);
        } catch (Exception | Error e) {
            failures.log(e, "on a stored " + scheme.id() + " delivery; the inbox retries it");
            throw e;
        }
    }
}
