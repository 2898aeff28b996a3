package dev.hookguard.servlet;

import dev.hookguard.delivery.Accepted;
import dev.hookguard.delivery.BodyIntake;
import dev.hookguard.delivery.IncomingRequest;
import dev.hookguard.delivery.Outcome;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.spi.Exchange;
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
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Verifies Mautic or Malcolm! webhooks in front of your own servlet or controller, by handing each request to a
 * Hookguard {@link WebhookEndpoint}, which decides everything. Given an endpoint with handlers ({@code on},
 * {@code onAny}) the filter answers every delivery itself. Otherwise a verified, first-time delivery goes on down
 * the chain with its raw body readable again and its payload attached (read them with {@link WebhookRequests}),
 * and the status the chain answers settles it: 2xx marks it done, anything else releases it for a retry. Refusals
 * (the endpoint's status table) never reach the chain.
 *
 * <pre>{@code
 * Filter filter = WebhookVerificationFilter.of(WebhookEndpoint.mautic()
 *         .secrets(System.getenv("MAUTIC_WEBHOOK_SECRET"))
 *         .build());
 * }</pre>
 *
 * <p>By class name, as in {@code web.xml}, with init-params {@code scheme} ({@code mautic} or {@code malcolm}),
 * {@code secrets} (comma-separated), {@code secrets-env} (an environment variable holding them),
 * {@code max-body-bytes} and {@code non-blocking-reads}; {@code handler-class} (a {@link dev.hookguard.delivery.WebhookHandler}
 * of the whole payload, with a public no-argument constructor) makes the filter answer itself, and
 * {@code inbox-datasource} (a JNDI name; needs {@code hookguard-inbox}) with {@code inbox-initialize-schema} puts it in
 * inbox mode: this filter then starts the inbox's workers in {@link #init} and stops them in {@link #destroy}. An
 * endpoint given to {@link #of} or {@link #nonBlocking} is yours: start and stop its inbox with your application
 * ({@code inbox.start(endpoint)}, {@code inbox.stop(deadline)}, or {@link Adapters#startInbox}, {@link Adapters#stopInbox}).
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
    /** Init-param: a class implementing {@code WebhookHandler} of the scheme's payload, run for every verified delivery. */
    public static final String HANDLER_CLASS_PARAM = "handler-class";
    /** Init-param: the JNDI name of the DataSource for inbox mode (with {@value #HANDLER_CLASS_PARAM}). */
    public static final String INBOX_DATASOURCE_PARAM = "inbox-datasource";
    /** Init-param: {@code true} to create the inbox's table when it does not exist, or bring it to the current version. */
    public static final String INBOX_INITIALIZE_SCHEMA_PARAM = "inbox-initialize-schema";
    /** Init-param: the inbox's table (default {@code hookguard_inbox}). */
    public static final String INBOX_TABLE_PARAM = "inbox-table";
    /** Init-param: attempts before a stored delivery is dead (default 8). */
    public static final String INBOX_MAX_ATTEMPTS_PARAM = "inbox-max-attempts";
    /** Init-param: the first retry's delay (default {@code 10s}), doubling up to {@value #INBOX_BACKOFF_MAX_PARAM}. */
    public static final String INBOX_BACKOFF_FIRST_PARAM = "inbox-backoff-first";
    /** Init-param: the longest delay between retries (default {@code 1h}). */
    public static final String INBOX_BACKOFF_MAX_PARAM = "inbox-backoff-max";
    /** Init-param: how long one handler may run before its attempt fails (default {@code 5m}). */
    public static final String INBOX_HANDLER_TIMEOUT_PARAM = "inbox-handler-timeout";
    /** Init-param: the inbox's worker threads (default 2). */
    public static final String INBOX_WORKERS_PARAM = "inbox-workers";
    /** Init-param: how long storing a delivery may take before the answer is 503 (default {@code 5s}). */
    public static final String INBOX_STORE_TIMEOUT_PARAM = "inbox-store-timeout";
    /**
     * Init-param: a directory (one per instance, on a disk that outlives the process) where verified deliveries are
     * spooled, and answered 202, while the inbox's database is away; stored in it once it answers. Default: no spool.
     */
    public static final String INBOX_SPOOL_DIRECTORY_PARAM = "inbox-spool-directory";
    /** Init-param: the spool's size in bytes past which it refuses deliveries (answered 503; default 1073741824, 1 GiB). */
    public static final String INBOX_SPOOL_MAX_BYTES_PARAM = "inbox-spool-max-bytes";
    /** Init-param: the age of the oldest spooled delivery past which the spool refuses deliveries (default {@code 24h}). */
    public static final String INBOX_SPOOL_MAX_AGE_PARAM = "inbox-spool-max-age";
    /** Init-param: {@code true} to show exception messages in a failing handler's log entry (default {@code false}: they may quote payload values). */
    public static final String LOG_EXCEPTION_MESSAGES_PARAM = "log-exception-messages";
    /** Init-param: the JNDI name of a DataSource that keeps delivery keys (direct mode; default: in memory). */
    public static final String IDEMPOTENCY_DATASOURCE_PARAM = "idempotency-datasource";
    /** Init-param: the key table (default {@code hookguard_idempotency}). */
    public static final String IDEMPOTENCY_TABLE_PARAM = "idempotency-table";
    /** Init-param: {@code true} to create the key table when it does not exist. */
    public static final String IDEMPOTENCY_INITIALIZE_SCHEMA_PARAM = "idempotency-initialize-schema";

    private static final Duration INBOX_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final UnaryOperator<String> environment;
    private volatile WebhookEndpoint<?> endpoint;
    private volatile boolean nonBlockingReads;
    private volatile boolean ownsEndpoint;
    /** The inbox built from init-params: closed in {@link #destroy}, so a redeployment can take its spool again. */
    private volatile AutoCloseable ownedInbox;

    /** For containers: configured from init-params in {@link #init}. */
    public WebhookVerificationFilter() {
        this(null, System::getenv, false);
    }

    WebhookVerificationFilter(WebhookEndpoint<?> endpoint, UnaryOperator<String> environment, boolean nonBlockingReads) {
        this.endpoint = endpoint;
        this.environment = environment;
        this.nonBlockingReads = nonBlockingReads;
    }

    /** A filter that reads bodies blocking, under the endpoint's cap on reads waiting for slow peers. */
    public static WebhookVerificationFilter of(WebhookEndpoint<?> endpoint) {
        return new WebhookVerificationFilter(Objects.requireNonNull(endpoint, "endpoint"), System::getenv, false);
    }

    /**
     * A filter that reads bodies with Servlet non-blocking I/O: a slow peer then holds no thread, only its
     * connection, and Tomcat does not drain what a refusal left unread. The verified request is dispatched again,
     * so map the filter for both the {@code REQUEST} and {@code ASYNC} dispatches; where something in the chain does
     * not support async, bodies are read blocking.
     */
    public static WebhookVerificationFilter nonBlocking(WebhookEndpoint<?> endpoint) {
        return new WebhookVerificationFilter(Objects.requireNonNull(endpoint, "endpoint"), System::getenv, true);
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        if (endpoint == null) {
            InitParams params = new InitParams(config, environment);
            nonBlockingReads = params.nonBlockingReads();
            endpoint = params.endpoint();
            ownsEndpoint = true;
            ownedInbox = params.ownedInbox().orElse(null);
            Adapters.startInbox(endpoint);
        }
        // One line per filter, as the starter writes per endpoint: a filter mapped where the sender does not post shows here.
        WebhookEndpoint<?> started = endpoint;
        String name = config == null ? "WebhookVerificationFilter" : config.getFilterName();
        System.getLogger(WebhookVerificationFilter.class.getName()).log(System.Logger.Level.INFO, () -> "Hookguard: filter " + name
                + " verifies " + started + (started.hasInbox() ? " (inbox mode)" : ""));
    }

    @Override
    public void destroy() {
        WebhookEndpoint<?> current = endpoint;
        if (ownsEndpoint && current != null) {
            Adapters.stopInbox(current, INBOX_SHUTDOWN_TIMEOUT);
        }
        AutoCloseable inbox = ownedInbox;
        if (inbox != null) {
            try {
                inbox.close();
            } catch (Exception e) {
                System.getLogger(WebhookVerificationFilter.class.getName()).log(System.Logger.Level.WARNING,
                        () -> "could not close the filter's inbox: " + e.getClass().getName());
            }
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        WebhookEndpoint<?> current = endpoint;
        if (current == null) {
            throw new ServletException("WebhookVerificationFilter was not initialised");
        }
        if (request.getDispatcherType() == DispatcherType.ASYNC && request.getAttribute(WebhookRequests.ADMISSION_ATTRIBUTE) instanceof Accepted<?> accepted) {
            // The body was read without blocking and verified; this is the dispatch that carries it on.
            request.setAttribute(AsyncBodyRead.DISPATCHED_ATTRIBUTE, Boolean.TRUE);
            run(() -> Adapters.carryOn(current, accepted, new ServletExchange(request, response, chain, true)));
            return;
        }
        if (nonBlockingReads && request.isAsyncSupported() && !request.isAsyncStarted()) {
            BodyIntake<?> intake = Adapters.intake(current, new ServletIncomingRequest(request));
            if (intake.refusal().isPresent()) {
                refuse(request, response, intake.refusal().get());
            } else {
                AsyncBodyRead.read(new VerifiedRequest(request), response, intake, Adapters.bodyReadTimeout(current).toMillis() + 1_000);
            }
            return;
        }
        run(() -> Adapters.exchange(current, new ServletExchange(request, response, chain, false)));
    }

    /** The exchange rule may throw what the chain threw; the container expects it as one of its own. */
    private static void run(Step step) throws IOException, ServletException {
        try {
            step.run();
        } catch (IOException | ServletException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new ServletException(e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    static void attach(ServletRequest request, Accepted<?> accepted) {
        request.setAttribute(WebhookRequests.PAYLOAD_ATTRIBUTE, accepted.payload());
        request.setAttribute(WebhookRequests.DELIVERY_ATTRIBUTE, accepted.delivery());
        request.setAttribute(WebhookRequests.ADMISSION_ATTRIBUTE, accepted);
    }

    /** A servlet request and response as the exchange rule's port: the chain's answer settles the delivery. */
    private static final class ServletExchange implements Exchange {
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final FilterChain chain;
        private final boolean verifiedAlready;
        private boolean proceeded;

        ServletExchange(HttpServletRequest request, HttpServletResponse response, FilterChain chain, boolean verifiedAlready) {
            this.request = request;
            this.response = response;
            this.chain = chain;
            this.verifiedAlready = verifiedAlready;
        }

        @Override
        public IncomingRequest request() {
            return new ServletIncomingRequest(request);
        }

        @Override
        public void write(Outcome outcome) throws IOException {
            if (proceeded) {
                // Only a failure of the chain is written after it ran: what the chain set is not part of that answer.
                response.reset();
                WebhookVerificationFilter.write(response, outcome);
            } else {
                refuse(request, response, outcome);
            }
        }

        @Override
        public int proceed(Accepted<?> accepted) throws IOException, ServletException {
            proceeded = true;
            HttpServletRequest onward = request;
            if (!verifiedAlready) {
                onward = new VerifiedRequest(request, accepted.delivery().body());
                attach(onward, accepted);
            }
            chain.doFilter(onward, response);
            // A WebhookRequests.notHandled in the chain settled it already; this status then changes nothing.
            return response.getStatus();
        }

        @Override
        public boolean isCommitted() {
            return response.isCommitted();
        }
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
        write(response, outcome, true);
    }

    /**
     * @param declareLength false when the rest of the request body is drained after the answer: Tomcat 11 closes the
     *                      request's input once a response's declared length is written
     */
    static void write(HttpServletResponse response, Outcome outcome, boolean declareLength) throws IOException {
        response.setStatus(outcome.status());
        outcome.headers().forEach(response::setHeader);
        byte[] body = outcome.body();
        if (body.length > 0) {
            response.setContentType(outcome.contentType());
            if (declareLength) {
                response.setContentLength(body.length);
            }
            response.getOutputStream().write(body);
        } else if (declareLength) {
            response.setContentLength(0);
        }
    }
}
