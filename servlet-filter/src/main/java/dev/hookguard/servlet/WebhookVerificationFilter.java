package dev.hookguard.servlet;

import dev.hookguard.delivery.Admission;
import dev.hookguard.delivery.BodyIntake;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookPipeline;
import dev.hookguard.idempotency.IdempotencyStore;
import dev.hookguard.signature.SecretResolver;
import dev.hookguard.signature.SignatureScheme;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Verifies Mautic or Malcolm! webhooks in front of your own servlet or controller. A verified, first-time
 * delivery is passed on with its raw body readable again and its typed payload attached (read it with
 * {@link WebhookRequests}); anything else is answered here (401, 400, 405, 409, 413, 415, or 200 for a finished
 * duplicate) and the chain is not called. When the chain answers 2xx the delivery is marked done; otherwise it is
 * released so a retry is handled.
 *
 * <p>By class name, as in {@code web.xml}, with init-params {@code scheme} ({@code mautic} or {@code malcolm}),
 * {@code secrets} (comma-separated), {@code secrets-env} (an environment variable holding them) and
 * {@code max-body-bytes}; or in code:
 *
 * <pre>{@code
 * Filter filter = WebhookVerificationFilter.builder(SignatureScheme.MAUTIC)
 *         .secrets(System.getenv("MAUTIC_WEBHOOK_SECRET"))
 *         .build();
 * }</pre>
 */
public final class WebhookVerificationFilter implements Filter {

    /** Init-param: {@code mautic} or {@code malcolm}. */
    public static final String SCHEME_PARAM = "scheme";
    /** Init-param: comma-separated secrets. */
    public static final String SECRETS_PARAM = "secrets";
    /** Init-param: the name of an environment variable holding comma-separated secrets. */
    public static final String SECRETS_ENV_PARAM = "secrets-env";
    /** Init-param: the body limit in bytes (default 5 MiB). */
    public static final String MAX_BODY_BYTES_PARAM = "max-body-bytes";

    /** Init-param: {@code true} to read bodies without blocking a thread (the mapping must include the ASYNC dispatch). */
    public static final String NON_BLOCKING_READS_PARAM = "non-blocking-reads";

    private final UnaryOperator<String> environment;
    private volatile WebhookPipeline<?> pipeline;
    private volatile boolean nonBlockingReads;

    /** For containers: configured from init-params in {@link #init}. */
    public WebhookVerificationFilter() {
        this(null, System::getenv);
    }

    WebhookVerificationFilter(WebhookPipeline<?> pipeline, UnaryOperator<String> environment) {
        this(pipeline, environment, false);
    }

    private WebhookVerificationFilter(WebhookPipeline<?> pipeline, UnaryOperator<String> environment, boolean nonBlockingReads) {
        this.pipeline = pipeline;
        this.environment = environment;
        this.nonBlockingReads = nonBlockingReads;
    }

    /** A filter over a pipeline built elsewhere (its handler, if any, is not used: the chain is the handler). */
    public static WebhookVerificationFilter of(WebhookPipeline<?> pipeline) {
        return new WebhookVerificationFilter(Objects.requireNonNull(pipeline, "pipeline"), System::getenv);
    }

    /**
     * A filter over a pipeline built elsewhere that reads bodies with Servlet non-blocking I/O (see
     * {@link Builder#nonBlockingReads}); map it for the {@code REQUEST} and {@code ASYNC} dispatches.
     */
    public static WebhookVerificationFilter nonBlocking(WebhookPipeline<?> pipeline) {
        return new WebhookVerificationFilter(Objects.requireNonNull(pipeline, "pipeline"), System::getenv, true);
    }

    /** Starts a filter for one sender's scheme. */
    public static Builder builder(SignatureScheme scheme) {
        return new Builder(scheme);
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        if (pipeline != null) {
            return;
        }
        String filterName = config.getFilterName();
        String schemeName = config.getInitParameter(SCHEME_PARAM);
        if (schemeName == null || schemeName.isBlank()) {
            throw new ServletException("filter " + filterName + ": init-param '" + SCHEME_PARAM + "' is required (mautic or malcolm)");
        }
        Builder builder;
        try {
            builder = builder(SignatureScheme.named(schemeName));
        } catch (IllegalArgumentException e) {
            throw new ServletException("filter " + filterName + ": init-param '" + SCHEME_PARAM + "': " + e.getMessage());
        }
        List<String> secrets = new ArrayList<>(split(config.getInitParameter(SECRETS_PARAM)));
        String variable = config.getInitParameter(SECRETS_ENV_PARAM);
        if (variable != null && !variable.isBlank()) {
            String value = environment.apply(variable.strip());
            if (value == null || value.isBlank()) {
                throw new ServletException("filter " + filterName + ": environment variable " + variable.strip()
                        + " (init-param '" + SECRETS_ENV_PARAM + "') is not set or empty");
            }
            secrets.addAll(split(value));
        }
        if (secrets.isEmpty()) {
            throw new ServletException("filter " + filterName + ": no " + schemeName.strip() + " webhook secret: set init-param '"
                    + SECRETS_PARAM + "' or '" + SECRETS_ENV_PARAM + "'");
        }
        builder.secrets(secrets);
        String limit = config.getInitParameter(MAX_BODY_BYTES_PARAM);
        if (limit != null && !limit.isBlank()) {
            try {
                builder.maxBodyBytes(Long.parseLong(limit.strip()));
            } catch (IllegalArgumentException e) {
                throw new ServletException("filter " + filterName + ": init-param '" + MAX_BODY_BYTES_PARAM
                        + "' must be a number of bytes between 1 and " + (Integer.MAX_VALUE - 16));
            }
        }
        nonBlockingReads = Boolean.parseBoolean(String.valueOf(config.getInitParameter(NON_BLOCKING_READS_PARAM)).strip());
        pipeline = builder.pipeline();
    }

    private static List<String> split(String value) {
        List<String> parts = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(",")) {
                if (!part.isBlank()) {
                    parts.add(part.strip());
                }
            }
        }
        return parts;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        WebhookPipeline<?> current = pipeline;
        if (current == null) {
            throw new ServletException("WebhookVerificationFilter was not initialised");
        }
        if (request.getDispatcherType() == DispatcherType.ASYNC && request.getAttribute(WebhookRequests.ADMISSION_ATTRIBUTE) instanceof Admission<?> admission) {
            // The body was read without blocking and verified; this is the dispatch that carries it on.
            request.setAttribute(AsyncBodyRead.DISPATCHED_ATTRIBUTE, Boolean.TRUE);
            pass(request, response, chain, admission);
            return;
        }
        if (nonBlockingReads && request.isAsyncSupported() && !request.isAsyncStarted()) {
            BodyIntake<?> intake = current.intake(new ServletIncomingRequest(request));
            if (intake.refusal().isPresent()) {
                refuse(request, response, intake.refusal().get());
                return;
            }
            AsyncBodyRead.read(new VerifiedRequest(request), response, intake, current.bodyReadTimeout().toMillis() + 1_000);
            return;
        }
        // Somewhere in the chain does not support async: a blocking read, under the budget's cap on waiting reads.
        Admission<?> admission = current.admit(new ServletIncomingRequest(request));
        if (!admission.isAccepted()) {
            refuse(request, response, admission.outcome().orElseThrow());
            return;
        }
        VerifiedRequest verified = new VerifiedRequest(request, admission.delivery().body());
        attach(verified, admission);
        pass(verified, response, chain, admission);
    }

    static void attach(ServletRequest request, Admission<?> admission) {
        request.setAttribute(WebhookRequests.PAYLOAD_ATTRIBUTE, admission.payload());
        request.setAttribute(WebhookRequests.DELIVERY_ATTRIBUTE, admission.delivery());
        request.setAttribute(WebhookRequests.ADMISSION_ATTRIBUTE, admission);
    }

    /** Hands a verified delivery to the chain and settles its claim from how the chain ended. */
    private static void pass(HttpServletRequest request, HttpServletResponse response, FilterChain chain, Admission<?> admission)
            throws IOException, ServletException {
        try {
            chain.doFilter(request, response);
        } catch (IOException | ServletException | RuntimeException | Error e) {
            Outcome failed = admission.failed(e);
            if (response.isCommitted()) {
                throw e;
            }
            response.reset();
            write(response, failed);
            return;
        }
        // Settled from what the chain answered (a no-op when the chain already settled it as not handled).
        admission.complete(response.getStatus());
    }

    /**
     * A refusal that leaves the body unread ends asynchronously where the container allows it: Tomcat drains the rest
     * of an unread body after a blocking request ends, holding a thread for as long as a slow peer takes.
     */
    private static void refuse(HttpServletRequest request, HttpServletResponse response, Outcome outcome) throws IOException {
        if (outcome.closesConnection() && request.isAsyncSupported() && !request.isAsyncStarted()) {
            AsyncBodyRead.refuse(request, response, outcome);
        } else {
            write(response, outcome);
        }
    }

    static void write(HttpServletResponse response, Outcome outcome) throws IOException {
        response.setStatus(outcome.status());
        outcome.headers().forEach(response::setHeader);
        byte[] body = outcome.body();
        if (body.length > 0) {
            response.setContentType(outcome.contentType());
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        } else {
            response.setContentLength(0);
        }
    }

    /** Builds a {@link WebhookVerificationFilter} for one scheme. */
    public static final class Builder {
        private final WebhookPipeline.Builder<?> pipeline;
        private boolean nonBlockingReads;

        private Builder(SignatureScheme scheme) {
            this.pipeline = WebhookPipeline.forScheme(Objects.requireNonNull(scheme, "scheme"));
        }

        /** Current secrets (several while rotating); blank ones are refused. */
        public Builder secrets(String... secrets) {
            pipeline.secrets(secrets);
            return this;
        }

        /** Current secrets (several while rotating); blank ones are refused. */
        public Builder secrets(Iterable<String> secrets) {
            pipeline.secrets(secrets);
            return this;
        }

        /** Picks secrets per tenant header ({@code X-Instance-Id}, {@code X-Origin-Base-URL}). */
        public Builder secretResolver(SecretResolver resolver) {
            pipeline.secretResolver(resolver);
            return this;
        }

        /** The body limit in bytes (default 5 MiB). */
        public Builder maxBodyBytes(long maxBodyBytes) {
            pipeline.maxBodyBytes(maxBodyBytes);
            return this;
        }

        /** The budget of body bytes and slow reads this filter shares (default: {@link dev.hookguard.delivery.BodyBudget#processWide()}). */
        public Builder bodyBudget(dev.hookguard.delivery.BodyBudget budget) {
            pipeline.bodyBudget(budget);
            return this;
        }

        /** How long reading one body may take (default 30 s). */
        public Builder bodyReadTimeout(java.time.Duration timeout) {
            pipeline.bodyReadTimeout(timeout);
            return this;
        }

        /** The average bytes per second a body must keep once its read lasted 5 s (default 1024; 0 turns it off). */
        public Builder minBodyRate(long bytesPerSecond) {
            pipeline.minBodyRate(bytesPerSecond);
            return this;
        }

        /** Where idempotency keys live (default: in memory); share one store between instances with JDBC. */
        public Builder idempotencyStore(IdempotencyStore store) {
            pipeline.idempotencyStore(store);
            return this;
        }

        /**
         * Reads bodies with Servlet non-blocking I/O (default off): a slow peer then holds no thread, only its
         * connection, and Tomcat does not drain what was left unread. The verified request is then dispatched again,
         * so map the filter for both {@code REQUEST} and {@code ASYNC} dispatches; requests whose chain does not
         * support async are read blocking, as without this.
         */
        public Builder nonBlockingReads(boolean nonBlockingReads) {
            this.nonBlockingReads = nonBlockingReads;
            return this;
        }

        WebhookPipeline<?> pipeline() {
            return pipeline.build();
        }

        /**
         * @throws IllegalStateException when no secret or resolver was given
         */
        public WebhookVerificationFilter build() {
            return new WebhookVerificationFilter(pipeline(), System::getenv, nonBlockingReads);
        }
    }
}
