package dev.hookguard.servlet;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.WebhookHandler;
import dev.hookguard.signature.SignatureScheme;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A {@code web.xml} filter's init-params, read into an endpoint; every mistake names the param. */
final class InitParams {

    private final FilterConfig config;
    private final UnaryOperator<String> environment;

    InitParams(FilterConfig config, UnaryOperator<String> environment) {
        this.config = config;
        this.environment = environment;
    }

    WebhookEndpoint<?> endpoint() throws ServletException {
        String schemeName = config.getInitParameter(WebhookVerificationFilter.SCHEME_PARAM);
        if (schemeName == null || schemeName.isBlank()) {
            throw fail("init-param '" + WebhookVerificationFilter.SCHEME_PARAM + "' is required (mautic or malcolm)");
        }
        WebhookEndpoint.Builder<?> builder;
        try {
            builder = WebhookEndpoint.forScheme(SignatureScheme.named(schemeName));
        } catch (IllegalArgumentException e) {
            throw fail("init-param '" + WebhookVerificationFilter.SCHEME_PARAM + "': " + e.getMessage());
        }
        builder.secrets(secrets(schemeName.strip()));
        String limit = config.getInitParameter(WebhookVerificationFilter.MAX_BODY_BYTES_PARAM);
        if (limit != null && !limit.isBlank()) {
            try {
                builder.maxBodyBytes(Long.parseLong(limit.strip()));
            } catch (IllegalArgumentException e) {
                throw fail("init-param '" + WebhookVerificationFilter.MAX_BODY_BYTES_PARAM + "' must be a number of bytes between 1 and "
                        + (Integer.MAX_VALUE - 16));
            }
        }
        String handlerClass = config.getInitParameter(WebhookVerificationFilter.HANDLER_CLASS_PARAM);
        if (handlerClass != null && !handlerClass.isBlank()) {
            builder.onAny(handler(handlerClass.strip()));
        }
        String inboxDataSource = config.getInitParameter(WebhookVerificationFilter.INBOX_DATASOURCE_PARAM);
        if (inboxDataSource != null && !inboxDataSource.isBlank()) {
            if (handlerClass == null || handlerClass.isBlank()) {
                throw fail("init-param '" + WebhookVerificationFilter.INBOX_DATASOURCE_PARAM + "' needs '" + WebhookVerificationFilter.HANDLER_CLASS_PARAM
                        + "': in inbox mode the inbox's workers run the handler, not the servlet behind the filter");
            }
            boolean initializeSchema = Boolean.parseBoolean(String.valueOf(config.getInitParameter(WebhookVerificationFilter.INBOX_INITIALIZE_SCHEMA_PARAM)).strip());
            try {
                // Checked here, before InboxParams is loaded: verifying that class already needs hookguard-inbox.
                Class.forName("dev.hookguard.inbox.JdbcInbox", false, InitParams.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw fail("init-param '" + WebhookVerificationFilter.INBOX_DATASOURCE_PARAM + "' needs dev.hookguard:hookguard-inbox on the class path");
            }
            builder.inbox(InboxParams.inbox(inboxDataSource.strip(), initializeSchema, this::fail));
        }
        return builder.build();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private WebhookHandler handler(String className) throws ServletException {
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!WebhookHandler.class.isAssignableFrom(type)) {
                throw fail("init-param '" + WebhookVerificationFilter.HANDLER_CLASS_PARAM + "': " + className + " does not implement WebhookHandler");
            }
            return (WebhookHandler) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw fail("init-param '" + WebhookVerificationFilter.HANDLER_CLASS_PARAM + "': cannot create " + className + " with a public no-argument"
                    + " constructor (" + e.getClass().getSimpleName() + ")");
        }
    }

    boolean nonBlockingReads() {
        return Boolean.parseBoolean(String.valueOf(config.getInitParameter(WebhookVerificationFilter.NON_BLOCKING_READS_PARAM)).strip());
    }

    private List<String> secrets(String schemeName) throws ServletException {
        List<String> secrets = new ArrayList<>(split(config.getInitParameter(WebhookVerificationFilter.SECRETS_PARAM)));
        String variable = config.getInitParameter(WebhookVerificationFilter.SECRETS_ENV_PARAM);
        if (variable != null && !variable.isBlank()) {
            String value = environment.apply(variable.strip());
            if (value == null || value.isBlank()) {
                throw fail("environment variable " + variable.strip() + " (init-param '" + WebhookVerificationFilter.SECRETS_ENV_PARAM
                        + "') is not set or empty");
            }
            secrets.addAll(split(value));
        }
        if (secrets.isEmpty()) {
            throw fail("no " + schemeName + " webhook secret: set init-param '" + WebhookVerificationFilter.SECRETS_PARAM + "' or '"
                    + WebhookVerificationFilter.SECRETS_ENV_PARAM + "'");
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
}
