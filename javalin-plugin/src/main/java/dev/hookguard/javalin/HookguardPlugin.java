package dev.hookguard.javalin;

import dev.hookguard.delivery.Admission;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookPipeline;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.idempotency.InMemoryIdempotencyStore;
import dev.hookguard.malcolm.WorkflowSession;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.mautic.MauticEvent;
import dev.hookguard.signature.SecretResolver;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.plugin.Plugin;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Verifies Mautic and Malcolm! webhooks in a Javalin 7 application. On each configured path a before-handler
 * runs the Hookguard pipeline over the request's exact bytes: a refusal ends the request with the pipeline's
 * problem body, so the application's route runs only for verified, first-time deliveries. When the application
 * registers no route for a path, the plugin answers it itself and hands the payload to the listeners given here.
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

    @Override
    public void onInitialize(JavalinState state) {
        Config config = pluginConfig;
        if (config.endpoints.isEmpty()) {
            throw new IllegalStateException("HookguardPlugin: configure at least one endpoint with mautic(...) or malcolm(...)");
        }
    }

    @Override
    public void onStart(JavalinState state) {
        IdempotencyStore store = pluginConfig.store != null ? pluginConfig.store : InMemoryIdempotencyStore.withDefaults();
        for (Endpoint<?> endpoint : pluginConfig.endpoints.values()) {
            Mounted<?> mounted = endpoint.mount(pluginConfig.maxBodyBytes, store);
            state.routes.before(endpoint.path, ctx -> mounted.before(ctx, state));
            state.routes.after(endpoint.path, mounted::after);
        }
    }

    /** One configured sender endpoint. */
    private static final class Endpoint<T> {
        private final String path;
        private final WebhookPipeline.Builder<T> builder;
        private final Route<T> dispatcher;

        Endpoint(String path, WebhookPipeline.Builder<T> builder, Route<T> dispatcher) {
            this.path = path;
            this.builder = builder;
            this.dispatcher = dispatcher;
        }

        Mounted<T> mount(int maxBodyBytes, IdempotencyStore store) {
            return new Mounted<>(builder.maxBodyBytes(maxBodyBytes).idempotencyStore(store).build(), dispatcher);
        }
    }

    /** The handlers of one endpoint, over its pipeline. */
    private static final class Mounted<T> {
        private final WebhookPipeline<T> pipeline;
        private final Route<T> dispatcher;
        /** Routes are fixed once Javalin has started: whether the app has its own is looked up once. */
        private volatile Boolean ownRoute;

        Mounted(WebhookPipeline<T> pipeline, Route<T> dispatcher) {
            this.pipeline = pipeline;
            this.dispatcher = dispatcher;
        }

        private boolean hasOwnRoute(Context ctx, JavalinState state) {
            Boolean own = ownRoute;
            if (own == null) {
                own = !state.internalRouter.findHttpHandlerEntries(HandlerType.POST, ctx.path()).isEmpty();
                ownRoute = own;
            }
            return own;
        }

        void before(Context ctx, JavalinState state) {
            Admission<T> admission = admit(ctx);
            if (!admission.isAccepted()) {
                write(ctx, admission.outcome().orElseThrow());
                ctx.skipRemainingHandlers();
                return;
            }
            if (hasOwnRoute(ctx, state)) {
                // One attribute carries payload, delivery and claim to the route; the after-handler settles the claim
                // from the status the route set.
                ctx.attribute(WebhookContext.ADMISSION_ATTRIBUTE, admission);
                return;
            }
            boolean handled;
            try {
                handled = dispatcher.handle(admission.payload());
            } catch (Exception | LinkageError e) {
                write(ctx, admission.failed(e));
                ctx.skipRemainingHandlers();
                return;
            }
            // No route and no listener took any of it: released and answered 404, never acknowledged.
            write(ctx, handled ? admission.complete(true) : admission.notHandled());
            ctx.skipRemainingHandlers();
        }

        void after(Context ctx) {
            Object admission = ctx.attribute(WebhookContext.ADMISSION_ATTRIBUTE);
            if (admission instanceof Admission<?> accepted) {
                accepted.complete(ctx.statusCode());
            }
        }

        private Admission<T> admit(Context ctx) {
            HttpServletRequest request = ctx.req();
            // Core reads the body itself, under its limit, budget, deadline and rate; Javalin's own body cache is
            // then filled from the bytes read, so an own route's ctx.bodyAsBytes() still sees them.
            return pipeline.admit(new IncomingRequest() {
                @Override
                public String method() {
                    return request.getMethod();
                }

                @Override
                public String header(String name) {
                    return request.getHeader(name);
                }

                @Override
                public java.util.Collection<String> headerNames() {
                    return java.util.Collections.list(request.getHeaderNames());
                }

                @Override
                public String path() {
                    return request.getRequestURI();
                }

                @Override
                public long contentLength() {
                    return request.getContentLengthLong();
                }

                @Override
                public java.io.InputStream body() throws java.io.IOException {
                    return request.getInputStream();
                }

                @Override
                public String remoteAddress() {
                    return request.getRemoteAddr();
                }
            });
        }

        private static void write(Context ctx, Outcome outcome) {
            ctx.status(outcome.status());
            outcome.headers().forEach(ctx::header);
            byte[] body = outcome.body();
            if (body.length > 0) {
                ctx.contentType(outcome.contentType());
            }
            ctx.result(body);
        }
    }

    /** Hands a payload to the listeners; whether any of them took something of it. */
    @FunctionalInterface
    private interface Route<T> {
        boolean handle(T payload) throws Exception;
    }

    /** A listener for verified events; throwing fails the delivery (500) so a retry is handled. */
    @FunctionalInterface
    public interface Listener<E> {
        void on(E event) throws Exception;
    }

    /** The plugin's settings, filled by the consumer given to {@link HookguardPlugin#HookguardPlugin}. */
    public static final class Config {
        private final Map<String, Endpoint<?>> endpoints = new LinkedHashMap<>();
        private final List<Route<MauticBatch>> mauticListeners = new ArrayList<>();
        private final List<Listener<WorkflowSession>> malcolmListeners = new ArrayList<>();
        private int maxBodyBytes = WebhookPipeline.DEFAULT_MAX_BODY_BYTES;
        private IdempotencyStore store;

        Config() {
        }

        /** Verifies Mautic deliveries on {@code path} with these secrets (several while rotating). */
        public Config mautic(String path, String... secrets) {
            return mauticPipeline(path, builder -> builder.secrets(secrets));
        }

        /** Verifies Mautic deliveries on {@code path}, with secrets per {@code X-Origin-Base-URL}. */
        public Config mautic(String path, SecretResolver resolver) {
            return mauticPipeline(path, builder -> builder.secretResolver(resolver));
        }

        /** Verifies Mautic deliveries on {@code path}, with the pipeline set up by {@code setup}. */
        public Config mauticPipeline(String path, Consumer<WebhookPipeline.Builder<MauticBatch>> setup) {
            WebhookPipeline.Builder<MauticBatch> builder = WebhookPipeline.mautic();
            setup.accept(builder);
            return endpoint(path, new Endpoint<>(path, builder, batch -> {
                boolean handled = false;
                for (Route<MauticBatch> listener : mauticListeners) {
                    handled |= listener.handle(batch);
                }
                return handled;
            }));
        }

        /** Verifies Malcolm! deliveries on {@code path} with these secrets (several while rotating). */
        public Config malcolm(String path, String... secrets) {
            return malcolmPipeline(path, builder -> builder.secrets(secrets));
        }

        /** Verifies Malcolm! deliveries on {@code path}, with secrets per {@code X-Instance-Id}. */
        public Config malcolm(String path, SecretResolver resolver) {
            return malcolmPipeline(path, builder -> builder.secretResolver(resolver));
        }

        /** Verifies Malcolm! deliveries on {@code path}, with the pipeline set up by {@code setup}. */
        public Config malcolmPipeline(String path, Consumer<WebhookPipeline.Builder<WorkflowSession>> setup) {
            WebhookPipeline.Builder<WorkflowSession> builder = WebhookPipeline.malcolm();
            setup.accept(builder);
            return endpoint(path, new Endpoint<>(path, builder, session -> {
                for (Listener<WorkflowSession> listener : malcolmListeners) {
                    listener.on(session);
                }
                return !malcolmListeners.isEmpty();
            }));
        }

        private Config endpoint(String path, Endpoint<?> endpoint) {
            Objects.requireNonNull(path, "path");
            if (endpoints.putIfAbsent(path, endpoint) != null) {
                throw new IllegalArgumentException("HookguardPlugin: " + path + " is configured twice");
            }
            return this;
        }

        /** Called with every verified Mautic event of {@code type}, in body order, when the app has no route for the path. */
        public <E extends MauticEvent> Config onMautic(Class<E> type, Listener<? super E> listener) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(listener, "listener");
            mauticListeners.add(batch -> {
                boolean handled = false;
                for (E event : batch.eventsOf(type)) {
                    listener.on(event);
                    handled = true;
                }
                return handled;
            });
            return this;
        }

        /** Called with every verified Mautic batch, when the app has no route for the path. */
        public Config onMauticBatch(Listener<MauticBatch> listener) {
            Objects.requireNonNull(listener, "listener");
            mauticListeners.add(batch -> {
                listener.on(batch);
                return true;
            });
            return this;
        }

        /** Called with every verified Malcolm! session, when the app has no route for the path. */
        public Config onMalcolm(Listener<WorkflowSession> listener) {
            malcolmListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The body limit in bytes for every endpoint (default 5 MiB); Hookguard reads webhook bodies itself, so Javalin's maxRequestSize does not apply to them. */
        public Config maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("max body bytes must be between 1 and " + (Integer.MAX_VALUE - 16));
            }
            this.maxBodyBytes = (int) maxBodyBytes;
            return this;
        }

        /** Where idempotency keys live (default: in memory, shared by the endpoints). */
        public Config idempotencyStore(IdempotencyStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }
    }
}
