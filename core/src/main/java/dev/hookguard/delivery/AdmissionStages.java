package dev.hookguard.delivery;

import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerificationException;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.Verification;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The stages from a body that was read whole to an {@link Admission}, in order: check, verify, parse, key, then
 * claim (direct mode) or store (inbox mode). Each stage either passes on what it made or returns a refusal; building
 * a refusal is pure, and the delivery settles where the caller hands the admission to its {@link Watch}.
 *
 * @param <T> {@code MauticBatch} or {@code WorkflowSession}
 */
final class AdmissionStages<T> {

    private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());

    private final SignatureScheme scheme;
    private final SignatureVerifier verifier;
    private final PayloadKind<T> kind;
    private final int maxBodyBytes;
    private final IdempotencyStore store;
    private final DeliveryInbox inbox;
    private final int retryAfterSeconds;
    private final Object endpoint;
    private final HandlerFailureLog failures;

    AdmissionStages(SignatureScheme scheme, SignatureVerifier verifier, PayloadKind<T> kind, int maxBodyBytes, IdempotencyStore store,
                    DeliveryInbox inbox, int retryAfterSeconds, Object endpoint, HandlerFailureLog failures) {
        this.scheme = scheme;
        this.verifier = verifier;
        this.kind = kind;
        this.maxBodyBytes = maxBodyBytes;
        this.store = store;
        this.inbox = inbox;
        this.retryAfterSeconds = retryAfterSeconds;
        this.endpoint = endpoint;
        this.failures = failures;
    }

    /** Runs the stages; a refused, duplicate or stored delivery is settled on {@code watch} before this returns. */
    Admission<T> admit(Delivery delivery, Watch watch) {
        return watch.decided(decide(delivery, watch));
    }

    /** A refusal's outcome with its own detail. */
    Outcome refusal(Refusal refusal, boolean bodyFollows) {
        return refusal.outcome(scheme, retryAfterSeconds, bodyFollows, detail(refusal));
    }

    private String detail(Refusal refusal) {
        return refusal == Refusal.BODY_TOO_LARGE ? "the body is larger than " + maxBodyBytes + " bytes" : refusal.detail();
    }

    private Admission<T> decide(Delivery delivery, Watch watch) {
        Refusal checked = RequestChecks.methodAndType(delivery.method(), delivery.contentType());
        if (checked == null && delivery.body().length > maxBodyBytes) {
            checked = Refusal.BODY_TOO_LARGE;
        }
        if (checked != null) {
            return refused(refusal(checked, false), delivery);
        }
        Verification verification;
        try {
            verification = verifier.verify(delivery.body(), delivery.headers().get(scheme.headerName()),
                    delivery.headers().get(scheme.tenantHeader()));
        } catch (SignatureVerificationException e) {
            return refused(signatureRefused(e, delivery), delivery);
        } catch (RuntimeException e) {
            // The application's secret resolver failed: not the sender's fault, so a retry may succeed.
            LOG.log(Level.ERROR, () -> "the " + scheme.id() + " secret resolver failed with " + e.getClass().getName()
                    + "; the delivery is refused for a retry");
            return refused(refusal(Refusal.SECRETS_UNAVAILABLE, false), delivery);
        }
        T payload;
        try {
            payload = kind.parse(delivery);
        } catch (PayloadParseException e) {
            return refused(Refusal.INVALID_PAYLOAD.outcome(scheme, retryAfterSeconds, false, e.getMessage()), delivery);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.WARNING, () -> "unexpected " + e.getClass().getName() + " while parsing a " + scheme.id() + " payload");
            return refused(refusal(Refusal.INVALID_PAYLOAD, false), delivery);
        }
        watch.eventType(kind.eventType(payload));
        String tenantPrefix = verification.tenant().map(t -> t + ":").orElse("");
        return inbox != null ? store(delivery, payload, tenantPrefix) : claim(delivery, payload, tenantPrefix, watch);
    }

    private static <T> Admission<T> refused(Outcome outcome, Delivery delivery) {
        return new Admission.Refused<>(outcome, delivery);
    }

    private Outcome signatureRefused(SignatureVerificationException e, Delivery delivery) {
        String tenantHeader = delivery.headers().get(scheme.tenantHeader());
        if (e.reason() == SignatureVerificationException.Reason.UNKNOWN_TENANT && (tenantHeader == null || tenantHeader.isBlank())) {
            return Refusal.TENANT_MISSING.outcome(scheme, retryAfterSeconds, false, e.getMessage());
        }
        // An unknown tenant reads exactly as a wrong signature: the answer must not tell which tenants exist.
        return switch (e.reason()) {
            case MISSING -> Refusal.SIGNATURE_MISSING.outcome(scheme, retryAfterSeconds, false, e.getMessage());
            case MALFORMED -> Refusal.SIGNATURE_MALFORMED.outcome(scheme, retryAfterSeconds, false, e.getMessage());
            case MISMATCH, UNKNOWN_TENANT -> Refusal.SIGNATURE_MISMATCH.outcome(scheme, retryAfterSeconds, false,
                    scheme.headerName() + " does not match the body for any current secret");
        };
    }

    /** Direct mode: claims each key; a finished duplicate is answered 200, one being handled right now 409. */
    private Admission<T> claim(Delivery delivery, T payload, String tenantPrefix, Watch watch) {
        List<String> rawKeys = kind.keys(payload);
        List<String> keys = tenantPrefix.isEmpty() ? rawKeys : rawKeys.stream().map(k -> tenantPrefix + k).toList();
        List<String> claimed = new ArrayList<>(keys.size());
        boolean inFlight = false;
        try {
            for (String key : keys) {
                switch (store.claim(key)) {
                    case CLAIMED -> claimed.add(key);
                    case IN_FLIGHT -> inFlight = true;
                    case DONE -> { }
                }
                if (inFlight) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, () -> "the idempotency store failed with " + Failures.describe(e) + "; the " + scheme.id()
                    + " delivery is refused for a retry");
            releaseQuietly(claimed);
            return refused(refusal(Refusal.STORE_UNAVAILABLE, false), delivery);
        }
        if (inFlight) {
            releaseQuietly(claimed);
            return refused(refusal(Refusal.IN_FLIGHT, false), delivery);
        }
        if (!keys.isEmpty() && claimed.isEmpty()) {
            return new Admission.Duplicate<>(delivery);
        }
        Set<String> unprefixed = claimed.size() == keys.size() ? null
                : claimed.stream().map(k -> k.substring(tenantPrefix.length())).collect(Collectors.toSet());
        T claimedPayload = unprefixed == null ? payload : kind.only(payload, unprefixed);
        return new Accepted<>(delivery, claimedPayload, claimed, store, watch, endpoint, failures);
    }

    /**
     * Inbox mode: stores the delivery's parts durably, then answers 202 (200 when every part was stored before);
     * the inbox's workers handle them later. Nothing is acknowledged that was not stored.
     */
    private Admission<T> store(Delivery delivery, T payload, String tenantPrefix) {
        int stored;
        try {
            stored = inbox.store(new InboxDelivery(scheme, tenantPrefix, kind.split(payload, tenantPrefix, delivery.body()),
                    delivery.body(), delivery.headers()));
        } catch (Exception e) {
            LOG.log(Level.ERROR, () -> "the inbox failed with " + Failures.describe(e) + "; the " + scheme.id()
                    + " delivery is refused for a retry, not acknowledged");
            return refused(refusal(Refusal.INBOX_UNAVAILABLE, false), delivery);
        }
        return stored == 0 ? new Admission.Duplicate<>(delivery) : new Admission.Stored<>(delivery);
    }

    private void releaseQuietly(List<String> keys) {
        for (String key : keys) {
            try {
                store.release(key);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "could not release an idempotency key; it expires on its own");
            }
        }
    }
}
