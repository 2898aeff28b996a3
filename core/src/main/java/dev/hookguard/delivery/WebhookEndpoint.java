package dev.hookguard.delivery;

import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.payload.PayloadParseException;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerificationException;
import dev.hookguard.signature.SignatureVerifier;
import dev.hookguard.signature.Verification;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a receiver decides, decided once: method, content type, body limit, signature, parsing,
 * idempotency, the application's handler, and the outcome to answer. Adapters only move bytes and headers in
 * and write the {@link Outcome} out. Immutable and thread-safe; build one per sender endpoint.
 *
 * <pre>{@code
 * WebhookEndpoint<MauticBatch> mautic = WebhookEndpoint.mautic()
 *         .secrets(System.getenv("MAUTIC_WEBHOOK_SECRET"))
 *         .on(FormSubmitted.class, form -> issues.open(form.submission()))
 *         .build();
 * Outcome outcome = mautic.process(incomingRequest);   // write outcome.status(), headers and body
 * }</pre>
 *
 * @param <T> {@link MauticBatch} or {@link WorkflowSession}
 */
public final class WebhookEndpoint<T> {

    /** 5 MiB: far above any real Mautic batch or Malcolm! session. */
    public static final int DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
    /** 30 s to read one body. */
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(30);
    /** 1 KiB/s, the floor a body must average once its read has lasted 5 s. */
    public static final long DEFAULT_MIN_BODY_RATE = 1024;

    private static final System.Logger LOG = System.getLogger(WebhookEndpoint.class.getName());

    private final SignatureScheme scheme;
    private final SignatureVerifier verifier;
    private final PayloadKind<T> kind;
    private final int maxBodyBytes;
    private final IdempotencyStore store;
    private final DeliveryInbox inbox;
    private final Routes<T> routes;
    private final int retryAfterSeconds;
    private final List<DeliveryListener> listeners;
    private final List<DeliveryObserver> observers;
    private final BodyBudget budget;
    private final long readTimeoutNanos;
    private final long minBodyRate;
    private final boolean logsExceptionMessages;

    private WebhookEndpoint(Builder<T> b) {
        this.scheme = b.scheme;
        this.kind = b.kind;
        this.verifier = b.verifier != null ? b.verifier : b.verifierBuilder.build();
        if (verifier.scheme() != scheme) {
            throw new IllegalArgumentException("the verifier checks " + verifier.scheme().id() + ", not " + scheme.id());
        }
        this.maxBodyBytes = b.maxBodyBytes;
        this.store = b.store != null ? b.store : InMemoryIdempotencyStore.withDefaults();
        this.inbox = b.inbox;
        if (inbox != null && b.routes.isEmpty()) {
            throw new IllegalStateException("an endpoint with an inbox needs handlers (on(...), onAny(...)) for its workers to run");
        }
        this.routes = new Routes<>(b.routes, b.kind);
        this.retryAfterSeconds = b.retryAfterSeconds;
        this.listeners = List.copyOf(b.listeners);
        this.observers = List.copyOf(b.observers);
        this.logsExceptionMessages = b.logExceptionMessages;
        this.budget = b.budget;
        this.readTimeoutNanos = b.readTimeout.toNanos();
        this.minBodyRate = b.minBodyRate;
    }

    /** A endpoint for Mautic ({@code Webhook-Signature}, {@link MauticBatch}). */
    public static Builder<MauticBatch> mautic() {
        return new Builder<>(SignatureScheme.MAUTIC, PayloadKind.MAUTIC);
    }

    /** A endpoint for Malcolm! ({@code X-Signature}, {@link WorkflowSession}). */
    public static Builder<WorkflowSession> malcolm() {
        return new Builder<>(SignatureScheme.MALCOLM, PayloadKind.MALCOLM);
    }

    /** A endpoint for a scheme chosen by configuration; its payload is a {@link MauticBatch} or a {@link WorkflowSession}. */
    public static Builder<?> forScheme(SignatureScheme scheme) {
        return switch (scheme) {
            case MAUTIC -> mautic();
            case MALCOLM -> malcolm();
        };
    }

    public SignatureScheme scheme() {
        return scheme;
    }

    /** The body limit in bytes. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public IdempotencyStore idempotencyStore() {
        return store;
    }

    /** The scheme, how it verifies (secrets counted, never shown) and the body limit: safe to log. */
    @Override
    public String toString() {
        return "WebhookEndpoint[" + scheme.id() + ", " + verifier + ", max " + maxBodyBytes + " bytes]";
    }

    /** Runs the whole endpoint, the handler included, and returns what to answer. */
    public Outcome process(IncomingRequest request) {
        requireHandlers();
        return run(admit(request));
    }

    /** Runs the whole endpoint over a delivery already read, the handler included. */
    public Outcome process(Delivery delivery) {
        requireHandlers();
        return run(admit(delivery));
    }

    private void requireHandlers() {
        if (routes.isEmpty()) {
            // Checked before anything is claimed: a claim taken here would wait out its expiry.
            throw new IllegalStateException("this endpoint has no handlers: give on(...) or onAny(...), or use admit() and complete()");
        }
    }

    /**
     * Runs this endpoint's handlers over a delivery it accepted, settles it, and returns what to answer: 2xx when a
     * handler took it, 404 (released) when none did, 500 (released) when one threw. Adapters call it when the body
     * was read apart from {@link #process}, as after a non-blocking read.
     *
     * @throws IllegalArgumentException when the admission did not come from this endpoint
     */
    @SuppressWarnings("unchecked")
    public Outcome handle(Admission<?> admission) {
        requireHandlers();
        if (!admission.isAccepted()) {
            return admission.outcome().orElseThrow();
        }
        if (admission.endpoint() != this) {
            throw new IllegalArgumentException("this admission comes from another endpoint");
        }
        return run((Admission<T>) admission);
    }

    private Outcome run(Admission<T> admission) {
        if (!admission.isAccepted()) {
            return admission.outcome().orElseThrow();
        }
        boolean handled;
        try {
            handled = routes.dispatch(admission.payload());
        } catch (Exception | Error e) {
            // Any failure releases the keys, an Error too: else every retry would meet a key in flight (409).
            Outcome failed = admission.failed(e);
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
            return failed;
        }
        // Nothing took any of it: released and answered 404, never acknowledged.
        return handled ? admission.complete(true) : admission.notHandled();
    }

    /**
     * Whether handlers were given ({@link Builder#on}, {@link Builder#onAny}): then {@link #process} answers every
     * delivery itself. Without them, the application's own code (a servlet, a controller, a route) handles what
     * {@link #admit} accepted and reports how it ended with {@link Admission#complete(int)}.
     */
    public boolean hasHandlers() {
        return !routes.isEmpty();
    }

    /**
     * Decides everything up to the handler: checks the path, reads the body (no more than the limit plus one
     * byte, under the {@link BodyBudget}, a deadline and a minimum rate), verifies, parses and claims. The caller
     * handles an accepted payload, then calls {@link Admission#complete}.
     */
    public Admission<T> admit(IncomingRequest request) {
        Watch watch = Watch.start(observers, scheme);
        Outcome early = checkBeforeBody(request);
        if (early != null) {
            return watch.decided(Admission.refused(early, null));
        }
        String remote = request.remoteAddress();
        BodyBuffer body = newBodyBuffer();
        try {
            boolean whole;
            try (InputStream in = request.body()) {
                whole = BodyReader.read(in, request.contentLength(), body, budget);
            } catch (IOException e) {
                return watch.decided(Admission.refused(refuse(400, CLOSE, "body_unreadable", "Body not readable",
                        "the request body could not be read", remote), null));
            }
            if (!whole) {
                return watch.decided(Admission.refused(unread(body.failure(), remote), null));
            }
            return admit(new Delivery(request.method(), snapshot(request), body.bytes(), remote), watch);
        } finally {
            // The budget bounds bodies until they are authenticated and parsed; what the handler holds is bounded by its threads.
            body.release();
        }
    }

    /**
     * Starts a delivery whose body the adapter feeds in as it arrives, without a thread waiting on the peer: the same
     * checks as {@link #admit(IncomingRequest)}, except that no waiting place is needed. {@link BodyIntake#refusal()}
     * is already set when the request is refused before its body.
     */
    public BodyIntake<T> intake(IncomingRequest request) {
        Watch watch = Watch.start(observers, scheme);
        Outcome early = checkBeforeBody(request);
        if (early != null) {
            return BodyIntake.refused(watch.settle(early));
        }
        String method = request.method();
        Headers headers = snapshot(request);
        String remote = request.remoteAddress();
        return new BodyIntake<>(newBodyBuffer(), bytes -> admit(new Delivery(method, headers, bytes, remote), watch),
                failure -> watch.settle(unread(failure, remote)), () -> watch.settle(0, "abandoned"));
    }

    /** How long reading one body may take; adapters that feed a {@link BodyIntake} expire it after this. */
    public Duration bodyReadTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
    }

    private BodyBuffer newBodyBuffer() {
        return new BodyBuffer(budget, maxBodyBytes, readTimeoutNanos, minBodyRate, Math.min(READ_GRACE_NANOS, readTimeoutNanos));
    }

    /** Method, content type, canonical path and declared length: everything that is refused before a byte of body is read. */
    private Outcome checkBeforeBody(IncomingRequest request) {
        String remote = request.remoteAddress();
        Outcome early = checkMethodAndType(request.method(), request.header("Content-Type"), remote);
        if (early != null) {
            // A body may follow that nobody will read: the connection must not be kept for a next request.
            return request.contentLength() == 0 ? early : early.withHeader("Connection", "close");
        }
        String path = request.path();
        if (path != null && !isCanonicalPath(path)) {
            // The container may map /a//b or /a/./b to this endpoint while the application's own routing does not:
            // refused before anything is read or claimed, so such a typo can neither be acknowledged nor mark a key done.
            return refuse(404, CLOSE, "path_not_canonical", "Not found", "deliveries are accepted only at the endpoint's exact path", remote);
        }
        if (request.contentLength() > maxBodyBytes) {
            return tooLarge(remote);
        }
        return null;
    }

    /** Once a read has lasted this long, it must keep up the minimum rate. */
    private static final long READ_GRACE_NANOS = 5_000_000_000L;

    /** The body is left unread: the container must not keep the connection for the next request. */
    private static final Map<String, String> CLOSE = Map.of("Connection", "close");

    private Outcome unread(BodyBuffer.Failure failure, String remote) {
        Map<String, String> retry = Map.of("Retry-After", Integer.toString(retryAfterSeconds), "Connection", "close");
        return switch (failure) {
            case TOO_LARGE -> tooLarge(remote);
            case NO_BUDGET -> refuse(503, retry, "body_budget_exhausted", "Temporarily unavailable",
                    "too many webhook bodies are being received right now; try again later", remote);
            case TOO_MANY_WAITING -> refuse(503, retry, "too_many_slow_bodies", "Temporarily unavailable",
                    "too many webhook bodies are arriving slowly right now; try again later", remote);
            case TOO_SLOW -> refuse(408, CLOSE, "body_too_slow", "Request timeout",
                    "the body did not arrive within the time and rate this endpoint allows", remote);
        };
    }

    /**
     * A request path as sent, before any container normalised it: no empty, {@code .} or {@code ..} segment, no
     * path parameter, no encoded dot, slash or backslash.
     */
    static boolean isCanonicalPath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.contains("//") || path.indexOf(';') >= 0 || path.indexOf('\\') >= 0) {
            return false;
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static final List<String> SENDER_HEADERS = List.of("Content-Type", "User-Agent", "Webhook-Signature", "X-Origin-Base-URL",
            "X-Signature", "X-Instance-Id");

    /** Adapters recycle their requests: keep the headers as they were. */
    private static Headers snapshot(IncomingRequest request) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (String name : SENDER_HEADERS) {
            String value = request.header(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        for (String name : request.headerNames()) {
            String value = request.header(name);
            if (value != null) {
                headers.putIfAbsent(name, value);
            }
        }
        return Headers.of(headers);
    }

    /** Decides everything up to the handler for a delivery already read. */
    public Admission<T> admit(Delivery delivery) {
        return admit(delivery, Watch.start(observers, scheme));
    }

    /** Settles {@code watch} unless the delivery was accepted; then it settles when the admission is completed. */
    private Admission<T> admit(Delivery delivery, Watch watch) {
        return watch.decided(decide(delivery, watch));
    }

    private Admission<T> decide(Delivery delivery, Watch watch) {
        Outcome early = checkMethodAndType(delivery.method(), delivery.contentType(), delivery.remoteAddress());
        if (early != null) {
            return Admission.refused(early, delivery);
        }
        if (delivery.body().length > maxBodyBytes) {
            return Admission.refused(tooLarge(delivery.remoteAddress()), delivery);
        }
        Verification verification;
        try {
            verification = verifier.verify(delivery.body(), delivery.headers().get(scheme.headerName()),
                    delivery.headers().get(scheme.tenantHeader()));
        } catch (SignatureVerificationException e) {
            return Admission.refused(signatureRefused(e, delivery), delivery);
        } catch (RuntimeException e) {
            // The application's secret resolver failed: not the sender's fault, so a retry may succeed.
            LOG.log(Level.ERROR, () -> "the " + scheme.id() + " secret resolver failed with " + e.getClass().getName()
                    + "; the delivery is refused for a retry");
            return Admission.refused(refuse(503, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "secrets_unavailable",
                    "Temporarily unavailable", "the secrets to verify this delivery cannot be looked up right now; try again later",
                    delivery.remoteAddress()), delivery);
        }
        T payload;
        try {
            payload = kind.parse(delivery);
        } catch (PayloadParseException e) {
            return Admission.refused(refuse(400, "invalid_payload", "Not a " + senderName() + " payload",
                    e.getMessage(), delivery.remoteAddress()), delivery);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.log(Level.WARNING, () -> "unexpected " + e.getClass().getName() + " while parsing a " + scheme.id() + " payload");
            return Admission.refused(refuse(400, "invalid_payload", "Not a " + senderName() + " payload",
                    "the body could not be parsed", delivery.remoteAddress()), delivery);
        }
        watch.eventType(kind.eventType(payload));
        String tenantPrefix = verification.tenant().map(t -> t + ":").orElse("");
        return inbox != null ? stow(delivery, payload, tenantPrefix) : claim(delivery, payload, tenantPrefix, watch);
    }

    private Outcome signatureRefused(SignatureVerificationException e, Delivery delivery) {
        boolean tenantMissing = e.reason() == SignatureVerificationException.Reason.UNKNOWN_TENANT
                && isBlank(delivery.headers().get(scheme.tenantHeader()));
        if (tenantMissing) {
            return refuse(401, "tenant_missing", "Invalid signature", e.getMessage(), delivery.remoteAddress());
        }
        // An unknown tenant reads exactly as a wrong signature: the answer must not tell which tenants exist.
        SignatureVerificationException.Reason reason = e.reason() == SignatureVerificationException.Reason.UNKNOWN_TENANT
                ? SignatureVerificationException.Reason.MISMATCH : e.reason();
        String detail = reason == SignatureVerificationException.Reason.MISMATCH
                ? scheme.headerName() + " does not match the body for any current secret" : e.getMessage();
        return refuse(401, "signature_" + reason.name().toLowerCase(Locale.ROOT), "Invalid signature", detail, delivery.remoteAddress());
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

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
            return Admission.refused(refuse(503, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "store_unavailable",
                    "Temporarily unavailable", "the delivery cannot be recorded right now; try again later",
                    delivery.remoteAddress()), delivery);
        }
        if (inFlight) {
            releaseQuietly(claimed);
            return Admission.refused(refuse(409, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "in_flight",
                    "Delivery in progress", "the same delivery is being handled right now; try again later",
                    delivery.remoteAddress()), delivery);
        }
        if (!keys.isEmpty() && claimed.isEmpty()) {
            notify(200, "duplicate", -1);
            return Admission.duplicate(delivery);
        }
        T claimedPayload = claimed.size() == keys.size() ? payload
                : kind.only(payload, claimed.stream().map(k -> k.substring(tenantPrefix.length())).collect(java.util.stream.Collectors.toSet()));
        return Admission.accepted(delivery, claimedPayload, claimed, store, (status, code, handlingNanos) -> {
            notify(status, code, handlingNanos);
            watch.settle(status, code);
        }, this);
    }

    /**
     * Inbox mode: stores the delivery's parts durably, then answers 202 (200 when every part was stored before);
     * the inbox's workers handle them later. Nothing is acknowledged that was not stored.
     */
    private Admission<T> stow(Delivery delivery, T payload, String tenantPrefix) {
        int stored;
        try {
            stored = inbox.store(new InboxDelivery(scheme, tenantPrefix, kind.split(payload, tenantPrefix, delivery.body()),
                    delivery.body(), delivery.headers()));
        } catch (Exception e) {
            LOG.log(Level.ERROR, () -> "the inbox failed with " + Failures.describe(e) + "; the " + scheme.id()
                    + " delivery is refused for a retry, not acknowledged");
            return Admission.refused(refuse(503, Map.of("Retry-After", Integer.toString(retryAfterSeconds)), "inbox_unavailable",
                    "Temporarily unavailable", "the delivery cannot be stored right now; try again later", delivery.remoteAddress()), delivery);
        }
        if (stored == 0) {
            notify(200, "duplicate", -1);
            return Admission.duplicate(delivery);
        }
        notify(202, "stored", -1);
        return Admission.finished(Outcome.accepted(), delivery);
    }

    /**
     * Handles one part of a delivery an inbox stored (its worker calls this): parses the part's body
     * ({@link InboxDelivery.Part#body()}), narrows it to the part with {@code key} when it holds more than one (a
     * test payload, or a row stored whole by an earlier version), and runs this endpoint's handlers on it, exactly
     * as in direct mode. Touches no idempotency store: the inbox keeps the state.
     *
     * @return true when a handler took it, false when none did (a configuration to fix, then replay)
     * @throws Exception what a handler threw, for the inbox to retry or dead-letter
     */
    public boolean handleStored(byte[] body, Headers headers, String tenant, String key) throws Exception {
        requireHandlers();
        T payload = kind.parse(new Delivery("POST", headers, body, "inbox"));
        if (!key.startsWith(tenant)) {
            throw new IllegalArgumentException("the key does not carry the tenant it was stored with");
        }
        String wanted = key.substring(tenant.length());
        List<String> keys = kind.keys(payload);
        if (!keys.contains(wanted)) {
            throw new IllegalStateException("the stored body holds no part with the key it was stored under");
        }
        T part = keys.size() > 1 ? kind.only(payload, java.util.Set.of(wanted)) : payload;
        try {
            return routes.dispatch(part);
        } catch (Exception | Error e) {
            logHandlerFailure(e, "on a stored " + scheme.id() + " delivery; the inbox retries it");
            throw e;
        }
    }

    /** The application's own failure, once, with its stack trace: messages only where the builder allowed them. */
    void logHandlerFailure(Throwable error, String what) {
        if (LOG.isLoggable(Level.ERROR)) {
            LOG.log(Level.ERROR, "the webhook handler failed " + what, logsExceptionMessages ? error : Failures.withoutMessages(error));
        }
    }

    /** Whether this endpoint stores deliveries in an inbox and answers before handling them. */
    public boolean hasInbox() {
        return inbox != null;
    }

    /**
     * Inbox mode: starts the inbox's handling of this endpoint's stored deliveries ({@link DeliveryInbox#start}).
     * Adapters that own the application's lifecycle call it once their server is up; nothing in direct mode.
     */
    public void startInbox() {
        if (inbox != null) {
            inbox.start(this);
        }
    }

    /** Inbox mode: stops the inbox's handling within {@code deadline} ({@link DeliveryInbox#stop}); nothing in direct mode. */
    public void stopInbox(Duration deadline) {
        if (inbox != null) {
            inbox.stop(deadline);
        }
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

    private Outcome checkMethodAndType(String method, String contentType, String remote) {
        if (!"POST".equalsIgnoreCase(method)) {
            return refuse(405, Map.of("Allow", "POST"), "method_not_allowed", "Method not allowed",
                    "webhooks are delivered with POST", remote);
        }
        if (contentType != null && !isJson(contentType)) {
            return refuse(415, "unsupported_media_type", "Unsupported media type", "webhook bodies are application/json", remote);
        }
        return null;
    }

    /** {@code application/json} or {@code application/*+json}, any case, parameters ignored; read in place, no copies. */
    static boolean isJson(String contentType) {
        int end = contentType.indexOf(';');
        if (end < 0) {
            end = contentType.length();
        }
        int start = 0;
        while (start < end && Character.isWhitespace(contentType.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(contentType.charAt(end - 1))) {
            end--;
        }
        int length = end - start;
        if (length == 16) {
            return asciiEqualsIgnoreCase(contentType, start, "application/json");
        }
        return length >= 17 && asciiEqualsIgnoreCase(contentType, start, "application/")
                && asciiEqualsIgnoreCase(contentType, end - 5, "+json");
    }

    /** Whether {@code s} holds {@code lowerAscii} at {@code from}, ASCII letters in any case (no other folding). */
    private static boolean asciiEqualsIgnoreCase(String s, int from, String lowerAscii) {
        for (int i = 0; i < lowerAscii.length(); i++) {
            char c = s.charAt(from + i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private Outcome tooLarge(String remote) {
        return refuse(413, CLOSE, "body_too_large", "Body too large", "the body is larger than " + maxBodyBytes + " bytes", remote);
    }

    private Outcome refuse(int status, String code, String title, String detail, String remote) {
        return refuse(status, Map.of(), code, title, detail, remote);
    }

    private Outcome refuse(int status, Map<String, String> headers, String code, String title, String detail, String remote) {
        // The reason and the peer only: never the body, a secret or a signature.
        LOG.log(Level.WARNING, () -> "refused " + scheme.id() + " delivery from " + remote + ": " + status + " " + code);
        notify(status, code, -1);
        return Outcome.refuse(status, headers, code, title, detail);
    }

    private void notify(int status, String code, long handlingNanos) {
        for (DeliveryListener listener : listeners) {
            try {
                listener.delivered(scheme, status, code, handlingNanos);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, () -> "a delivery listener failed: " + e.getClass().getName());
            }
        }
    }

    private String senderName() {
        return scheme == SignatureScheme.MAUTIC ? "Mautic" : "Malcolm!";
    }

    /** Builds a {@link WebhookEndpoint}. Give secrets, a resolver or a verifier. */
    public static final class Builder<T> {
        private final SignatureScheme scheme;
        private final PayloadKind<T> kind;
        private final SignatureVerifier.Builder verifierBuilder;
        private SignatureVerifier verifier;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private IdempotencyStore store;
        private DeliveryInbox inbox;
        private final List<Routes.Route> routes = new ArrayList<>();
        private int retryAfterSeconds = 5;
        private final List<DeliveryListener> listeners = new ArrayList<>();
        private final List<DeliveryObserver> observers = new ArrayList<>();
        private BodyBudget budget = BodyBudget.processWide();
        private Duration readTimeout = DEFAULT_BODY_READ_TIMEOUT;
        private long minBodyRate = DEFAULT_MIN_BODY_RATE;
        private boolean logExceptionMessages;

        private Builder(SignatureScheme scheme, PayloadKind<T> kind) {
            this.scheme = scheme;
            this.kind = kind;
            this.verifierBuilder = SignatureVerifier.builder(scheme);
        }

        /** Adds current secrets (several while rotating); blank ones are refused. */
        public Builder<T> secrets(String... secrets) {
            verifierBuilder.secrets(secrets);
            return this;
        }

        /** Adds current secrets (several while rotating); blank ones are refused. */
        public Builder<T> secrets(Iterable<String> secrets) {
            verifierBuilder.secrets(secrets);
            return this;
        }

        /** Adds the comma-separated secrets of an environment variable ({@code HOOKGUARD_MAUTIC_SECRETS} by convention). */
        public Builder<T> secretsFromEnvironment(String variable) {
            verifierBuilder.secretsFromEnvironment(variable);
            return this;
        }

        /** Picks secrets per tenant header instead. */
        public Builder<T> secretResolver(SecretResolver resolver) {
            verifierBuilder.secretResolver(resolver);
            return this;
        }

        /** Uses a verifier built elsewhere (replaces secrets and resolver). */
        public Builder<T> verifier(SignatureVerifier verifier) {
            this.verifier = Objects.requireNonNull(verifier, "verifier");
            return this;
        }

        /** The body limit (default 5 MiB). A longer body is answered 413 after reading at most this plus one byte. */
        public Builder<T> maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("max body bytes must be between 1 and " + (Integer.MAX_VALUE - 16));
            }
            this.maxBodyBytes = (int) maxBodyBytes;
            return this;
        }

        /** The budget of body bytes and waiting reads this endpoint shares (default: {@link BodyBudget#processWide()}). */
        public Builder<T> bodyBudget(BodyBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /** How long reading one body may take (default 30 s); a slower body is answered 408 and read no further. */
        public Builder<T> bodyReadTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("the body read timeout must be positive");
            }
            this.readTimeout = timeout;
            return this;
        }

        /**
         * The average rate, in bytes per second, a body must keep once its read has lasted 5 s (default 1024;
         * 0 turns the floor off). A body that arrived whole in its first 5 s is never measured.
         */
        public Builder<T> minBodyRate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("the minimum body rate must not be negative");
            }
            this.minBodyRate = bytesPerSecond;
            return this;
        }

        /** Where idempotency keys live (default: a bounded in-memory store). */
        public Builder<T> idempotencyStore(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Handles every part of a delivery of {@code type}: each Mautic event of that type in body order
         * ({@code FormSubmitted.class}, or {@code MauticEvent.class} for all), or the Malcolm! session
         * ({@code WorkflowSession.class}). A handler that throws fails the delivery: 500, released for a retry.
         * A delivery that no handler takes is answered 404 and released.
         */
        public <E> Builder<T> on(Class<E> type, WebhookHandler<? super E> handler) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(handler, "handler");
            @SuppressWarnings("unchecked")
            WebhookHandler<Object> any = part -> handler.handle((E) part);
            routes.add(new Routes.Route(type, any, false));
            return this;
        }

        /** Handles every delivery as a whole (the whole batch, or the session), before the typed handlers. */
        public Builder<T> onAny(WebhookHandler<? super T> handler) {
            Objects.requireNonNull(handler, "handler");
            @SuppressWarnings("unchecked")
            WebhookHandler<Object> any = payload -> handler.handle((T) payload);
            routes.add(new Routes.Route(Object.class, any, true));
            return this;
        }

        /**
         * Inbox mode: verified deliveries are stored in {@code inbox} and answered 202 once they are durable (200
         * for a duplicate, 503 when storing fails); the inbox's workers run the handlers later, with retries, so a
         * handler failure never reaches the sender. The idempotency store is not used: the inbox keeps the keys.
         */
        public Builder<T> inbox(DeliveryInbox inbox) {
            this.inbox = Objects.requireNonNull(inbox, "inbox");
            return this;
        }

        /** Seconds in the {@code Retry-After} of a 409 (default 5). */
        public Builder<T> retryAfterSeconds(int seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("retry-after must not be negative");
            }
            this.retryAfterSeconds = seconds;
            return this;
        }

        /** Adds a listener told how every delivery ended (for metrics). */
        public Builder<T> listener(DeliveryListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds an observer told when each delivery arrives and how it settled (for tracing and timing): one
         * arrival and one settlement per request.
         */
        public Builder<T> observer(DeliveryObserver observer) {
            observers.add(Objects.requireNonNull(observer, "observer"));
            return this;
        }

        /**
         * Whether a failing handler's log entry shows the exception's messages (default {@code false}). Its stack
         * trace, classes and frames are always logged; the messages are withheld unless you allow them, since a message
         * can quote payload values (an email address, a form field).
         */
        public Builder<T> logExceptionMessages(boolean logExceptionMessages) {
            this.logExceptionMessages = logExceptionMessages;
            return this;
        }

        /** The scheme this builder is for. */
        public SignatureScheme scheme() {
            return scheme;
        }

        /**
         * @throws IllegalStateException when no secret, resolver or verifier was given
         */
        public WebhookEndpoint<T> build() {
            return new WebhookEndpoint<>(this);
        }
    }
}
