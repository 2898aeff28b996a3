package dev.hookguard.servlet;

import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_FIRST_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_BACKOFF_MAX_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_HANDLER_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_INITIALIZE_SCHEMA_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_MAX_ATTEMPTS_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_DIRECTORY_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_MAX_AGE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_SPOOL_MAX_BYTES_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_STORE_TIMEOUT_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_TABLE_PARAM;
import static dev.hookguard.servlet.WebhookVerificationFilter.INBOX_WORKERS_PARAM;

import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.inbox.InboxException;
import dev.hookguard.inbox.JdbcInbox;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
    /** The spool's own bounds, repeated only to pair a bound given alone. */
    private static final long SPOOL_MAX_BYTES = 1L << 30;
    private static final Duration SPOOL_MAX_AGE = Duration.ofHours(24);

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
        Optional<Long> spoolBytes = params.positiveLong(INBOX_SPOOL_MAX_BYTES_PARAM);
        Optional<Duration> spoolAge = params.duration(INBOX_SPOOL_MAX_AGE_PARAM);
        Optional<String> spool = params.text(INBOX_SPOOL_DIRECTORY_PARAM);
        if (spool.isPresent()) {
            try {
                builder.spool(Path.of(spool.get()));
            } catch (InvalidPathException e) {
                throw params.fail("init-param '" + INBOX_SPOOL_DIRECTORY_PARAM + "' is not a path: " + e.getReason());
            }
            builder.spoolLimits(spoolBytes.orElse(SPOOL_MAX_BYTES), spoolAge.orElse(SPOOL_MAX_AGE));
        } else if (spoolBytes.isPresent() || spoolAge.isPresent()) {
            // A bound without a spool would be ignored silently.
            throw params.fail("init-param '" + (spoolBytes.isPresent() ? INBOX_SPOOL_MAX_BYTES_PARAM : INBOX_SPOOL_MAX_AGE_PARAM)
                    + "' needs '" + INBOX_SPOOL_DIRECTORY_PARAM + "'");
        }
        // Read before the inbox is built: a built inbox holds its spool directory for as long as the JVM runs.
        boolean initialize = params.bool(INBOX_INITIALIZE_SCHEMA_PARAM, false);
        JdbcInbox inbox;
        try {
            inbox = builder.build();
        } catch (InboxException e) {
            if (spool.isPresent() && e.getCause() instanceof IOException) {
                throw params.fail("init-param '" + INBOX_SPOOL_DIRECTORY_PARAM + "': " + e.getMessage()); // cannot be created or written
            }
            throw e;
        } catch (IllegalStateException e) {
            // Another inbox holds the directory: in one web.xml, most often a second filter given the same one.
            if (spool.isPresent() && String.valueOf(e.getMessage()).contains("spool directory")) {
                throw params.fail("init-param '" + INBOX_SPOOL_DIRECTORY_PARAM + "': " + e.getMessage());
            }
            throw e;
        }
        try {
            inbox.prepareSchema(initialize); // with a spool, a database away at startup is no failure: the inbox says so once
        } catch (RuntimeException e) {
            inbox.close(); // the filter fails to start: free the spool's directory for the next deployment
            throw e;
        }
        return inbox;
    }
}
