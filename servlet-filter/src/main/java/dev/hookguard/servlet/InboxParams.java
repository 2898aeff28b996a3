package dev.hookguard.servlet;

import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_FIRST_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_MAX_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_HANDLER_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_INITIALIZE_SCHEMA_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_MAX_ATTEMPTS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_STORE_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_TABLE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_WORKERS_PARAM;

import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.inbox.JdbcInbox;
import jakarta.servlet.ServletException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Inbox mode from {@code web.xml}: a {@link JdbcInbox} on the container's DataSource, set up by the {@code inbox-*}
 * init-params. Its own class, so that {@code hookguard-inbox} is needed on the class path only by applications that
 * use it.
 */
final class InboxParams {

    /** The inbox's own defaults, repeated only to pair a backoff given by half. */
    private static final Duration FIRST_RETRY = Duration.ofSeconds(10);
    private static final Duration MAX_RETRY = Duration.ofHours(1);

    private InboxParams() {
    }

    static DeliveryInbox inbox(DataSource dataSource, InitParams params) throws ServletException {
        JdbcInbox.Builder builder = JdbcInbox.builder(dataSource);
        try {
            Optional<String> table = params.text(INBOX_TABLE_PARAM);
            if (table.isPresent()) {
                builder.table(table.get());
            }
        } catch (IllegalArgumentException e) {
            throw params.fail("init-param '" + INBOX_TABLE_PARAM + "': " + e.getMessage());
        }
        params.positiveInt(INBOX_MAX_ATTEMPTS_PARAM).ifPresent(builder::maxAttempts);
        params.positiveInt(INBOX_WORKERS_PARAM).ifPresent(builder::workers);
        params.duration(INBOX_HANDLER_TIMEOUT_PARAM).ifPresent(builder::handlerTimeout);
        params.duration(INBOX_STORE_TIMEOUT_PARAM).ifPresent(builder::storeTimeout);
        Optional<Duration> first = params.duration(INBOX_BACKOFF_FIRST_PARAM);
        Optional<Duration> max = params.duration(INBOX_BACKOFF_MAX_PARAM);
        if (first.isPresent() || max.isPresent()) {
            Duration firstRetry = first.orElse(FIRST_RETRY);
            Duration maxRetry = max.orElse(firstRetry.compareTo(MAX_RETRY) > 0 ? firstRetry : MAX_RETRY);
            if (maxRetry.compareTo(firstRetry) < 0) {
                throw params.fail("init-param '" + INBOX_BACKOFF_MAX_PARAM + "' must not be shorter than '" + INBOX_BACKOFF_FIRST_PARAM + "'");
            }
            builder.backoff(firstRetry, maxRetry);
        }
        JdbcInbox inbox = builder.build();
        if (params.bool(INBOX_INITIALIZE_SCHEMA_PARAM, false)) {
            inbox.initializeSchema();
        }
        return inbox;
    }
}
