package dev.hookguard.spring;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Hookguard's settings, under {@code hookguard}.
 *
 * @param maxBodySize     Largest webhook body accepted; longer bodies are answered 413 without being read further.
 * @param bodyReadTimeout How long reading one body may take before it is answered 408.
 * @param minBodyRate     The rate, per second, a body must average once its read has lasted 5 s (0 turns it off).
 * @param budget          What all webhook bodies being read at once may hold, before any is authenticated.
 * @param mautic          The Mautic endpoint (its path defaults to /webhooks/mautic).
 * @param malcolm         The Malcolm! endpoint (its path defaults to /webhooks/malcolm).
 * @param idempotency     Where delivery keys are remembered.
 * @param inbox           Inbox mode: store deliveries in the DataSource, answer 202, publish them from workers with retries.
 * @param logExceptionMessages Whether a failing handler's log entry shows exception messages, which may quote payload values (its stack trace is always logged).
 */
@ConfigurationProperties(prefix = "hookguard")
public record HookguardProperties(
        @DefaultValue("5MB") DataSize maxBodySize,
        @DefaultValue("30s") Duration bodyReadTimeout,
        @DefaultValue("1KB") DataSize minBodyRate,
        @DefaultValue Budget budget,
        @DefaultValue Endpoint mautic,
        @DefaultValue Endpoint malcolm,
        @DefaultValue Idempotency idempotency,
        @DefaultValue Inbox inbox,
        @DefaultValue("false") boolean logExceptionMessages) {

    /**
     * One sender's endpoint.
     *
     * @param enabled Whether to verify this sender's webhooks. By default, when secrets are set.
     * @param path    Path the sender posts to; /webhooks/mautic or /webhooks/malcolm when not set.
     * @param secrets Secrets currently valid, several while rotating. HOOKGUARD_MAUTIC_SECRETS / HOOKGUARD_MALCOLM_SECRETS take a comma-separated list.
     */
    public record Endpoint(Boolean enabled, String path, List<String> secrets) {

        String pathOr(String defaultPath) {
            return path != null ? path : defaultPath;
        }
    }

    /**
     * Bounds on the bodies being read at once, in this application.
     *
     * @param maxBytesInFlight Bytes all bodies being read may hold together; past it, 503 with Retry-After.
     * @param maxWaitingReads  Blocking reads that may wait on slow peers at once; keep it below the server's thread pool.
     */
    public record Budget(@DefaultValue("32MB") DataSize maxBytesInFlight, @DefaultValue("16") int maxWaitingReads) {
    }

    /**
     * Where delivery keys are remembered.
     *
     * @param store            auto (JDBC on the application's DataSource when it has exactly one, else memory), memory or jdbc.
     * @param initializeSchema Whether to create the JDBC store's table at startup: embedded (H2, HSQLDB, Derby), always or never.
     * @param table            The JDBC store's table.
     */
    public record Idempotency(@DefaultValue("auto") StoreType store, @DefaultValue("embedded") SchemaInitialization initializeSchema,
                              @DefaultValue("hookguard_idempotency") String table) {
    }

    /**
     * Inbox mode (needs hookguard-inbox on the class path and a DataSource).
     *
     * @param enabled          Whether deliveries are stored and answered 202, then handled by workers (events style only).
     * @param maxAttempts      Attempts before a delivery is dead.
     * @param firstRetry       Delay before the first retry, doubling from there.
     * @param maxRetry         Longest delay between retries.
     * @param handlerTimeout   How long one listener may run on a delivery before the attempt fails (its thread interrupted).
     * @param workers          Worker threads in this instance.
     * @param shutdownTimeout  How long running listeners may finish at shutdown before their deliveries are given back.
     * @param initializeSchema Whether to create the inbox table at startup: embedded (H2), always or never.
     * @param spool            A journal on local disk that takes verified deliveries (answered 202) while the DataSource is away.
     */
    public record Inbox(@DefaultValue("false") boolean enabled, @DefaultValue("8") int maxAttempts, @DefaultValue("10s") Duration firstRetry,
                        @DefaultValue("1h") Duration maxRetry, @DefaultValue("5m") Duration handlerTimeout, @DefaultValue("2") int workers,
                        @DefaultValue("10s") Duration shutdownTimeout, @DefaultValue("embedded") SchemaInitialization initializeSchema,
                        @DefaultValue Spool spool) {

        /**
         * The inbox's spool: off until a directory is set.
         *
         * @param directory Where this instance spools deliveries while the DataSource is away: one per instance, on a persistent disk. Unset, no spool.
         * @param maxSize   Size past which the spool refuses deliveries (503 with Retry-After); nothing spooled is dropped.
         * @param maxAge    Age of the oldest spooled delivery past which the spool refuses deliveries, as past max-size.
         */
        public record Spool(Path directory, @DefaultValue("1GB") DataSize maxSize, @DefaultValue("24h") Duration maxAge) {
        }
    }

    /** Which idempotency store the starter configures. */
    public enum StoreType { AUTO, MEMORY, JDBC }

    /** When the starter creates the JDBC store's table, as Spring Batch and Quartz do. */
    public enum SchemaInitialization { EMBEDDED, ALWAYS, NEVER }
}
