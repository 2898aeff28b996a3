package dev.hookguard.delivery;

import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.delivery.internal.DeliveryAccess;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.signature.SignatureVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a receiver decides, decided once: method, content type, body limit, signature, parsing,
 * idempotency, the application's handler, and the outcome to answer. Adapters only move bytes and headers in
 * and write the {@link Outcome} out. Immutable and thread-safe; build one per sender endpoint.
 *
 * <p>A facade over the stages, in order: {@code RequestChecks} (before the body), the body read ({@code BodyStage},
 * {@code BodyRead}, {@link BodyIntake}), {@code AdmissionStages} (check, verify, parse, key, claim or store),
 * {@code Routes} (the handlers), and one settlement ({@link Accepted}, {@code Watch}). Adapters reach the rest through
 * {@code dev.hookguard.delivery.spi.Adapters}; see ARCHITECTURE.md.
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

    static {
        DeliveryAccess.install(new SpiAccess());
    }

    private final SignatureScheme scheme;
    private final SignatureVerifier verifier;
    private final int maxBodyBytes;
    private final IdempotencyStore store;
    private final DeliveryInbox inbox;
    private final Routes<T> routes;
    private final List<DeliveryObserver> observers;
    private final long readTimeoutNanos;
    private final AdmissionStages<T> stages;
    private final BodyStage<T> body;
    private final StoredHandling<T> storedHandling;

    private WebhookEndpoint(Builder<T> b) {
        this.scheme = b.scheme;
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
        List<DeliveryObserver> watching = new ArrayList<>(b.observers);
        b.listeners.forEach(listener -> watching.add(Watch.observing(listener)));
        this.observers = List.copyOf(watching);
        this.readTimeoutNanos = b.readTimeout.toNanos();
        HandlerFailureLog failures = new HandlerFailureLog(b.logExceptionMessages);
        this.stages = new AdmissionStages<>(scheme, verifier, b.kind, maxBodyBytes, store, inbox, b.retryAfterSeconds, this, failures);
        this.storedHandling = new StoredHandling<>(scheme, b.kind, routes, failures);
        this.body = new BodyStage<>(stages, b.budget, maxBodyBytes, readTimeoutNanos, b.minBodyRate);
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

    /** Whether this endpoint stores deliveries in an inbox and answers before handling them. */
    public boolean hasInbox() {
        return inbox != null;
    }

    /** The scheme, how it verifies (secrets counted, never shown) and the body limit: safe to log. */
    @Override
    public String toString() {
        return "WebhookEndpoint[" + scheme.id() + ", " + verifier + ", max " + maxBodyBytes + " bytes]";
    }

    /** Runs the whole endpoint, the handler included, and returns what to answer. */
    public Outcome process(IncomingRequest request) {
        requireHandlers();
        return handled(admit(request));
    }

    /** Runs the whole endpoint over a delivery already read, the handler included. */
    public Outcome process(Delivery delivery) {
        requireHandlers();
        return handled(admit(delivery));
    }

    /**
     * Decides everything up to the handler: checks the path, reads the body (no more than the limit plus one
     * byte, under the {@link BodyBudget}, a deadline and a minimum rate), verifies, parses and claims. Without
     * handlers, the application handles an {@link Accepted} payload, then settles it with {@link Accepted#complete}.
     */
    public Admission<T> admit(IncomingRequest request) {
        return body.read(request, Watch.start(observers, scheme, request.remoteAddress()));
    }

    /** Decides everything up to the handler for a delivery already read. */
    public Admission<T> admit(Delivery delivery) {
        return stages.admit(delivery, Watch.start(observers, scheme, delivery.remoteAddress()));
    }

    /** The non-blocking read: the checks before the body now, the rest as the adapter feeds the body in. */
    BodyIntake<T> intake(IncomingRequest request) {
        return body.intake(request, Watch.start(observers, scheme, request.remoteAddress()));
    }

    /** Runs the handlers over an accepted delivery and settles it; anything else is answered as admitted. */
    private Outcome handled(Admission<T> admission) {
        return admission instanceof Accepted<T> accepted ? handle(accepted) : admission.outcome().orElseThrow();
    }

    /**
     * Runs this endpoint's handlers over a delivery it accepted, settles it, and returns what to answer: 200 when a
     * handler took it, 404 {@code not_handled} (released) when none did, 500 (released) when one threw; an
     * {@code Error} is settled too, then thrown on when the JVM itself is failing.
     */
    @SuppressWarnings("unchecked")
    Outcome handle(Accepted<?> accepted) {
        requireHandlers();
        if (accepted.endpoint() != this) {
            throw new IllegalArgumentException("this admission comes from another endpoint");
        }
        boolean handled;
        try {
            handled = routes.dispatch(((Accepted<T>) accepted).payload());
        } catch (Exception | Error e) {
            // Any failure releases the keys, an Error too: else every retry would meet a key in flight (409).
            Outcome failed = accepted.failed(e);
            Failures.rethrowIfFatal(e);
            return failed;
        }
        // Nothing took any of it: released and answered 404, never acknowledged.
        return handled ? accepted.handled() : accepted.notHandled();
    }

    /** Whether handlers were given ({@link Builder#on}, {@link Builder#onAny}): then the endpoint answers every delivery itself. */
    boolean hasHandlers() {
        return !routes.isEmpty();
    }

    private void requireHandlers() {
        if (routes.isEmpty()) {
            // Checked before anything is claimed: a claim taken here would wait out its expiry.
            throw new IllegalStateException("this endpoint has no handlers: give on(...) or onAny(...), or use admit() and complete()");
        }
    }

    /** The inbox this endpoint stores in; {@code null} in direct mode. */
    DeliveryInbox inbox() {
        return inbox;
    }

    /** The handlers, as an inbox's workers take them. */
    StoredHandler storedHandler() {
        return storedHandling;
    }

    Duration bodyReadTimeout() {
        return Duration.ofNanos(readTimeoutNanos);
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
