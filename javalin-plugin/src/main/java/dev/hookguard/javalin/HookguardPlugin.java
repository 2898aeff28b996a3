package dev.hookguard.javalin;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.spi.Exchange;
import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SecretResolver;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.plugin.Plugin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Verifies Mautic and Malcolm! webhooks in a Javalin 7 application: one before-handler per configured path hands
 * the request to a Hookguard {@link WebhookEndpoint}, which decides everything. With handlers given here
 * ({@code onMautic}, {@code onMalcolm}) the endpoint answers each delivery itself; without them, the application's
 * own route handles what was verified ({@link WebhookContext}) and the status it sets settles the delivery.
 *
 * <pre>{@code
 * Javalin.create(cfg -> cfg.registerPlugin(new HookguardPlugin(hookguard -> hookguard
 *         .mautic("/webhooks/mautic", System.getenv("MAUTIC_WEBHOOK_SECRET"))
 *         .onMautic(FormSubmitted.class, form -> issues.open(form.submission())))));
 * }</pre>
 */
public final class HookguardPlugin extends Plugin<HookguardPlugin.Config> {

    /** Configures the plugin with a consumer of its {@link Config}, as Javalin's own plugins are configured. */
    public HookguardPlugin(Consumer<Config> userConfig) {
        super(userConfig, new Config());
    }

    @Override
    public String name() {
        return "Hookguard";
    }

    /**
     * Javalin 6 calls this instead of {@link #onInitialize(JavalinState)}, which it does not know: without it the
     * plugin would register nothing there and every delivery would get Javalin's own 404, silently. It refuses to
     * start, naming the version found.
     *
     * @throws IllegalStateException always: this plugin needs Javalin 7
     */
    public void onInitialize(JavalinConfig config) {
        throw new IllegalStateException(unsupportedJavalin(Javalin.class.getPackage().getImplementationVersion()));
    }

    static String unsupportedJavalin(String found) {
        return "HookguardPlugin needs Javalin 7 (7.0.0 or later) and found Javalin " + (found == null ? "of an unknown version" : found)
                + ": Javalin 6 registers a plugin's routes through a router that Javalin 7 removed; upgrade to Javalin 7";
    }

    @Override
    public void onInitialize(JavalinState state) {
        if (pluginConfig.endpoints.isEmpty()) {
            throw new IllegalStateException("HookguardPlugin: configure at least one endpoint with mautic(...) or malcolm(...)");
        }
        // Built now, so that a missing secret stops the application before it starts.
        pluginConfig.built = pluginConfig.build();
    }

    @Override
    public void onStart(JavalinState state) {
        pluginConfig.built.forEach((path, endpoint) -> {
            state.routes.before(path, ctx -> before(endpoint, ctx));
            state.routes.after(path, HookguardPlugin::after);
            // One line per endpoint, as the starter writes: a path the sender does not post to shows at startup.
            System.getLogger(HookguardPlugin.class.getName()).log(System.Logger.Level.INFO, () -> "Hookguard: " + path + " verifies "
                    + endpoint + (endpoint.hasInbox() ? " (inbox mode)" : ""));
        });
        // Inbox mode: the workers run while the server does, started only once it accepts requests.
        state.events.serverStarted(() -> pluginConfig.built.values().forEach(Adapters::startInbox));
        state.events.serverStopping(() -> pluginConfig.built.values().forEach(e -> Adapters.stopInbox(e, pluginConfig.inboxShutdownTimeout)));
    }

    /**
     * Javalin runs the application's route between a before and an after handler rather than inside a call, so the
     * exchange rule runs in two halves here (the one documented difference, in {@link Adapters#open}): with handlers,
     * the whole rule answers now; without, the accepted delivery waits for the route, and the after handler settles it
     * from the route's status (Javalin's own 404 when there is no route releases it too).
     */
    private static void before(WebhookEndpoint<?> endpoint, Context ctx) throws Exception {
        Optional<Accepted<?>> accepted = Adapters.open(endpoint, new ContextExchange(ctx));
        if (accepted.isPresent()) {
            ctx.attribute(WebhookContext.ADMISSION_ATTRIBUTE, accepted.get());
        } else {
            ctx.skipRemainingHandlers();
        }
    }

    private static void after(Context ctx) {
        if (ctx.attribute(WebhookContext.ADMISSION_ATTRIBUTE) instanceof Accepted<?> accepted) {
            // The application's route answered (or Javalin did, 404, when there is none): that status settles it.
            accepted.complete(ctx.statusCode());
        }
    }

    /** Javalin's context as the exchange rule's port; {@link #proceed} is never called (handlers answer, or the route runs later). */
    private record ContextExchange(Context ctx) implements Exchange {
        @Override
        public IncomingRequest request() {
            return new ContextRequest(ctx);
        }

        @Override
        public void write(Outcome outcome) {
            ctx.status(outcome.status());
            outcome.headers().forEach(ctx::header);
            byte[] body = outcome.body();
            if (body.length > 0) {
                ctx.contentType(outcome.contentType());
            }
            ctx.result(body);
        }

        @Override
        public int proceed(Accepted<?> accepted) {
            throw new IllegalStateException("Javalin runs the route after the before handler, not inside it");
        }

        @Override
        public boolean isCommitted() {
            return false;
        }
    }

    /** The plugin's settings, filled by the consumer given to {@link HookguardPlugin#HookguardPlugin}. */
    public static final class Config {
        private final Map<String, WebhookEndpoint.Builder<?>> endpoints = new LinkedHashMap<>();
        private final List<Consumer<WebhookEndpoint.Builder<MauticBatch>>> mauticHandlers = new ArrayList<>();
        private final List<Consumer<WebhookEndpoint.Builder<WorkflowSession>>> malcolmHandlers = new ArrayList<>();
        private Long maxBodyBytes;
        private boolean logExceptionMessages;
        private IdempotencyStore store;
        private DeliveryInbox inbox;
        private Duration inboxShutdownTimeout = Duration.ofSeconds(10);
        private Map<String, WebhookEndpoint<?>> built;

        Config() {
        }

        /** Verifies Mautic deliveries on {@code path} with these secrets (several while rotating). */
        public Config mautic(String path, String... secrets) {
            return mauticEndpoint(path, endpoint -> endpoint.secrets(secrets));
        }

        /** Verifies Mautic deliveries on {@code path}, with secrets per {@code X-Origin-Base-URL}. */
        public Config mautic(String path, SecretResolver resolver) {
            return mauticEndpoint(path, endpoint -> endpoint.secretResolver(resolver));
        }

        /** Verifies Mautic deliveries on {@code path}, with the endpoint set up by {@code setup}. */
        public Config mauticEndpoint(String path, Consumer<WebhookEndpoint.Builder<MauticBatch>> setup) {
            WebhookEndpoint.Builder<MauticBatch> builder = WebhookEndpoint.mautic();
            setup.accept(builder);
            return endpoint(path, builder);
        }

        /** Verifies Malcolm! deliveries on {@code path} with these secrets (several while rotating). */
        public Config malcolm(String path, String... secrets) {
            return malcolmEndpoint(path, endpoint -> endpoint.secrets(secrets));
        }

        /** Verifies Malcolm! deliveries on {@code path}, with secrets per {@code X-Instance-Id}. */
        public Config malcolm(String path, SecretResolver resolver) {
            return malcolmEndpoint(path, endpoint -> endpoint.secretResolver(resolver));
        }

        /** Verifies Malcolm! deliveries on {@code path}, with the endpoint set up by {@code setup}. */
        public Config malcolmEndpoint(String path, Consumer<WebhookEndpoint.Builder<WorkflowSession>> setup) {
            WebhookEndpoint.Builder<WorkflowSession> builder = WebhookEndpoint.malcolm();
            setup.accept(builder);
            return endpoint(path, builder);
        }

        private Config endpoint(String path, WebhookEndpoint.Builder<?> builder) {
            Objects.requireNonNull(path, "path");
            if (endpoints.putIfAbsent(path, builder) != null) {
                throw new IllegalArgumentException("HookguardPlugin: " + path + " is configured twice");
            }
            return this;
        }

        /** Handles every verified Mautic event of {@code type} on every Mautic path, in body order. */
        public <E> Config onMautic(Class<E> type, WebhookHandler<? super E> handler) {
            Objects.requireNonNull(handler, "handler");
            mauticHandlers.add(endpoint -> endpoint.on(type, handler));
            return this;
        }

        /** Handles every verified Mautic batch as a whole. */
        public Config onMauticBatch(WebhookHandler<? super MauticBatch> handler) {
            Objects.requireNonNull(handler, "handler");
            mauticHandlers.add(endpoint -> endpoint.onAny(handler));
            return this;
        }

        /** Handles every verified Malcolm! session. */
        public Config onMalcolm(WebhookHandler<? super WorkflowSession> handler) {
            Objects.requireNonNull(handler, "handler");
            malcolmHandlers.add(endpoint -> endpoint.on(WorkflowSession.class, handler));
            return this;
        }

        /** The body limit in bytes for every endpoint (default 5 MiB); Hookguard reads the body, not Javalin's maxRequestSize. */
        public Config maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Whether a failing handler's log entry shows exception messages (default {@code false}); its stack trace is
         * always logged, but a message can quote payload values.
         */
        public Config logExceptionMessages(boolean logExceptionMessages) {
            this.logExceptionMessages = logExceptionMessages;
            return this;
        }

        /** Where idempotency keys live (default: in memory, shared by the endpoints). */
        public Config idempotencyStore(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Inbox mode for every endpoint: a verified delivery is stored in {@code inbox} and answered 202 once it is
         * durable, then handled by the handlers given here, in the inbox's workers, with retries. The plugin starts
         * the workers when the server has started and stops them when it stops, within {@code shutdownTimeout}.
         */
        public Config inbox(DeliveryInbox inbox, Duration shutdownTimeout) {
            this.inbox = Objects.requireNonNull(inbox, "inbox");
            this.inboxShutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
            return this;
        }

        @SuppressWarnings("unchecked")
        private Map<String, WebhookEndpoint<?>> build() {
            IdempotencyStore shared = store != null ? store : InMemoryIdempotencyStore.withDefaults();
            Map<String, WebhookEndpoint<?>> built = new LinkedHashMap<>();
            endpoints.forEach((path, builder) -> {
                builder.idempotencyStore(shared);
                builder.logExceptionMessages(logExceptionMessages);
                if (inbox != null) {
                    builder.inbox(inbox);
                }
                if (maxBodyBytes != null) {
                    builder.maxBodyBytes(maxBodyBytes);
                }
                switch (builder.scheme()) {
                    case MAUTIC -> mauticHandlers.forEach(h -> h.accept((WebhookEndpoint.Builder<MauticBatch>) builder));
                    case MALCOLM -> malcolmHandlers.forEach(h -> h.accept((WebhookEndpoint.Builder<WorkflowSession>) builder));
                }
                built.put(path, builder.build());
            });
            return Map.copyOf(built);
        }
    }
}
