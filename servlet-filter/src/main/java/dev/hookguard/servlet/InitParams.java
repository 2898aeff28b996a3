package dev.hookguard.servlet;

import static dev.hookguard.servlet.WebhookVerificationFilter.HANDLER_CLASS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.IDEMPOTENCY_DATASOURCE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.IDEMPOTENCY_INITIALIZE_SCHEMA_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.IDEMPOTENCY_TABLE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_FIRST_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_MAX_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_DATASOURCE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_HANDLER_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_INITIALIZE_SCHEMA_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_MAX_ATTEMPTS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_DIRECTORY_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_MAX_AGE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_MAX_BYTES_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_STORE_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_TABLE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_WORKERS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.LOG_EXCEPTION_MESSAGES_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.MAX_BODY_BYTES_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.NON_BLOCKING_READS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.SCHEME_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.SECRETS_ENV_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.SECRETS_PARAM;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.idempotency.JdbcIdempotencyStore;
import dev.hookguard.signature.SignatureScheme;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * A {@code web.xml} filter's init-params, read into an endpoint. Every value is checked as it is read, and every
 * mistake names the param: a typo stops the application at startup instead of falling back to a default.
 */
final class InitParams {

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final FilterConfig config;
    /** The inbox these params built, which the filter closes in {@code destroy}: its spool's directory is then free. */
    private AutoCloseable ownedInbox;
    private final UnaryOperator<String> environment;

    InitParams(FilterConfig config, UnaryOperator<String> environment) {
        this.config = config;
        this.environment = environment;
    }

    WebhookEndpoint<?> endpoint() throws ServletException {
        String schemeName = text(SCHEME_PARAM)
                .orElseThrow(() -> fail("init-param '" + SCHEME_PARAM + "' is required (mautic or malcolm)"));
        WebhookEndpoint.Builder<?> builder;
        try {
            builder = WebhookEndpoint.forScheme(SignatureScheme.named(schemeName));
        } catch (IllegalArgumentException e) {
            throw fail("init-param '" + SCHEME_PARAM + "': " + e.getMessage());
        }
        builder.secrets(secrets(schemeName));
        Optional<String> limit = text(MAX_BODY_BYTES_PARAM);
        if (limit.isPresent()) {
            try {
                builder.maxBodyBytes(Long.parseLong(limit.get()));
            } catch (IllegalArgumentException e) {
                throw fail("init-param '" + MAX_BODY_BYTES_PARAM + "' must be a number of bytes between 1 and " + (Integer.MAX_VALUE - 16));
            }
        }
        builder.logExceptionMessages(bool(LOG_EXCEPTION_MESSAGES_PARAM, false));
        Optional<String> handlerClass = text(HANDLER_CLASS_PARAM);
        if (handlerClass.isPresent()) {
            builder.onAny(handler(handlerClass.get()));
        }
        Optional<String> keyStore = text(IDEMPOTENCY_DATASOURCE_PARAM);
        if (keyStore.isPresent() && text(INBOX_DATASOURCE_PARAM).isPresent()) {
            throw fail("init-param '" + IDEMPOTENCY_DATASOURCE_PARAM + "' is for direct mode: with '" + INBOX_DATASOURCE_PARAM
                    + "' the inbox keeps the delivery keys");
        }
        if (keyStore.isPresent()) {
            builder.idempotencyStore(keyStore(keyStore.get()));
        } else {
            requireAbsent(IDEMPOTENCY_DATASOURCE_PARAM, IDEMPOTENCY_TABLE_PARAM, IDEMPOTENCY_INITIALIZE_SCHEMA_PARAM);
        }
        Optional<String> inboxDataSource = text(INBOX_DATASOURCE_PARAM);
        if (inboxDataSource.isPresent()) {
            if (handlerClass.isEmpty()) {
                throw fail("init-param '" + INBOX_DATASOURCE_PARAM + "' needs '" + HANDLER_CLASS_PARAM
                        + "': in inbox mode the inbox's workers run the handler, not the servlet behind the filter");
            }
            try {
                // Checked here, before InboxParams is loaded: verifying that class already needs hookguard-inbox.
                Class.forName("dev.hookguard.inbox.JdbcInbox", false, InitParams.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw fail("init-param '" + INBOX_DATASOURCE_PARAM + "' needs dev.hookguard:hookguard-inbox on the class path");
            }
            DeliveryInbox inbox = InboxParams.inbox(dataSource(INBOX_DATASOURCE_PARAM, inboxDataSource.get()), this);
            ownedInbox = inbox instanceof AutoCloseable closeable ? closeable : null;
            builder.inbox(inbox);
        } else {
            requireAbsent(INBOX_DATASOURCE_PARAM, INBOX_INITIALIZE_SCHEMA_PARAM, INBOX_TABLE_PARAM, INBOX_MAX_ATTEMPTS_PARAM,
                    INBOX_BACKOFF_FIRST_PARAM, INBOX_BACKOFF_MAX_PARAM, INBOX_HANDLER_TIMEOUT_PARAM, INBOX_WORKERS_PARAM, INBOX_STORE_TIMEOUT_PARAM,
                    INBOX_SPOOL_DIRECTORY_PARAM, INBOX_SPOOL_MAX_BYTES_PARAM, INBOX_SPOOL_MAX_AGE_PARAM);
        }
        try {
            return builder.build();
        } catch (RuntimeException e) {
            if (ownedInbox != null) {
                try {
                    ownedInbox.close(); // no filter, so no destroy: free the spool's directory for the next deployment
                } catch (Exception ignored) {
                    // the build's failure is the one to report
                }
            }
            throw e;
        }
    }

    boolean nonBlockingReads() throws ServletException {
        return bool(NON_BLOCKING_READS_PARAM, false);
    }

    /** The param's value, stripped; empty when absent or blank. */
    Optional<String> text(String param) {
        String value = config.getInitParameter(param);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    boolean bool(String param, boolean otherwise) throws ServletException {
        Optional<String> value = text(param);
        if (value.isEmpty()) {
            return otherwise;
        }
        return switch (value.get().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw fail("init-param '" + param + "' must be true or false");
        };
    }

    Optional<Integer> positiveInt(String param) throws ServletException {
        Optional<String> value = text(param);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            int number = Integer.parseInt(value.get());
            if (number >= 1) {
                return Optional.of(number);
            }
        } catch (NumberFormatException e) {
            // answered below, with the param's name
        }
        throw fail("init-param '" + param + "' must be a whole number of at least 1");
    }

    /** A positive whole number that may exceed an int (a size in bytes). */
    Optional<Long> positiveLong(String param) throws ServletException {
        Optional<String> value = text(param);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            long number = Long.parseLong(value.get());
            if (number >= 1) {
                return Optional.of(number);
            }
        } catch (NumberFormatException e) {
            // answered below, with the param's name
        }
        throw fail("init-param '" + param + "' must be a whole number of at least 1");
    }

    /** A positive duration, written {@code 10s}, {@code 500ms}, {@code 5m}, {@code 1h}, {@code 7d} or ISO-8601 ({@code PT10S}). */
    Optional<Duration> duration(String param) throws ServletException {
        Optional<String> value = text(param);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Duration duration = null;
        Matcher simple = SIMPLE_DURATION.matcher(value.get());
        try {
            if (simple.matches()) {
                long amount = Long.parseLong(simple.group(1));
                duration = switch (simple.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } else {
                duration = Duration.parse(value.get().toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // answered below, with the param's name
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw fail("init-param '" + param + "' must be a positive duration such as 10s, 500ms, 5m, 1h or PT10S");
        }
        return Optional.of(duration);
    }

    DataSource dataSource(String param, String jndiName) throws ServletException {
        try {
            return (DataSource) new InitialContext().lookup(jndiName);
        } catch (NamingException | ClassCastException e) {
            throw fail("init-param '" + param + "': no DataSource under the JNDI name " + jndiName + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private JdbcIdempotencyStore keyStore(String jndiName) throws ServletException {
        JdbcIdempotencyStore.Builder store = JdbcIdempotencyStore.builder(dataSource(IDEMPOTENCY_DATASOURCE_PARAM, jndiName));
        Optional<String> table = text(IDEMPOTENCY_TABLE_PARAM);
        if (table.isPresent()) {
            try {
                store.table(table.get());
            } catch (IllegalArgumentException e) {
                throw fail("init-param '" + IDEMPOTENCY_TABLE_PARAM + "': " + e.getMessage());
            }
        }
        JdbcIdempotencyStore built = store.build();
        if (bool(IDEMPOTENCY_INITIALIZE_SCHEMA_PARAM, false)) {
            built.createTableIfMissing();
        }
        return built;
    }

    /** A setting without the param that switches its feature on would be ignored silently: refuse it instead. */
    private void requireAbsent(String feature, String... params) throws ServletException {
        for (String param : params) {
            if (!param.equals(feature) && text(param).isPresent()) {
                throw fail("init-param '" + param + "' needs '" + feature + "'");
            }
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private WebhookHandler handler(String className) throws ServletException {
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!WebhookHandler.class.isAssignableFrom(type)) {
                throw fail("init-param '" + HANDLER_CLASS_PARAM + "': " + className + " does not implement WebhookHandler");
            }
            return (WebhookHandler) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw fail("init-param '" + HANDLER_CLASS_PARAM + "': cannot create " + className + " with a public no-argument"
                    + " constructor (" + e.getClass().getSimpleName() + ")");
        }
    }

    private List<String> secrets(String schemeName) throws ServletException {
        List<String> secrets = new ArrayList<>(split(config.getInitParameter(SECRETS_PARAM)));
        Optional<String> variable = text(SECRETS_ENV_PARAM);
        if (variable.isPresent()) {
            String value = environment.apply(variable.get());
            if (value == null || value.isBlank()) {
                throw fail("environment variable " + variable.get() + " (init-param '" + SECRETS_ENV_PARAM + "') is not set or empty");
            }
            secrets.addAll(split(value));
        }
        if (secrets.isEmpty()) {
            throw fail("no " + schemeName + " webhook secret: set init-param '" + SECRETS_PARAM + "' or '" + SECRETS_ENV_PARAM + "'");
        }
        return secrets;
    }

    ServletException fail(String message) {
        return new ServletException("filter " + config.getFilterName() + ": " + message);
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

    /** The inbox built from {@code inbox-*} params, if any; the filter closes it when it is destroyed. */
    java.util.Optional<AutoCloseable> ownedInbox() {
        return java.util.Optional.ofNullable(ownedInbox);
    }
}
