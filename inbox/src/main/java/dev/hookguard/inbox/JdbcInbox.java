package dev.hookguard.inbox;

import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.delivery.spi.Adapters;
import dev.hookguard.delivery.spi.DeliveryInbox;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.signature.SignatureScheme;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A durable inbox on JDBC (PostgreSQL, H2): an endpoint built with {@code .inbox(inbox)} stores each verified
 * delivery here, one row per part, and answers 2xx once the transaction committed; {@link #start workers} then
 * claim due rows, run the endpoint's handlers with each row locked by the handling transaction, and settle them:
 * done, or retried with exponential backoff and jitter, or, after the last attempt, dead.
 *
 * <p>The promise: every acknowledged part is handled until a handler returns for it, at most {@code maxAttempts}
 * times; what a handler writes through {@link #currentTransaction()} commits exactly once, with "done". A row's
 * liveness is the lock of the live transaction that handles it, so a handler is never overtaken however long it
 * runs, and the rows of a worker that died (thread, process, machine) are taken again within seconds; every time that
 * decides who may take a row is the database's, never an instance's clock.
 *
 * <pre>{@code
 * JdbcInbox inbox = JdbcInbox.builder(dataSource).build();
 * inbox.initializeSchema();                       // or db/hookguard/{postgresql,h2}/V1__inbox.sql and V2__inbox.sql in your migrations
 * WebhookEndpoint<MauticBatch> mautic = WebhookEndpoint.mautic().secretsFromEnvironment("HOOKGUARD_MAUTIC_SECRETS")
 *         .on(FormSubmitted.class, form -> issues.open(form.submission()))
 *         .inbox(inbox)
 *         .build();
 * inbox.start(mautic);                            // workers; inbox.stop(Duration.ofSeconds(10)) on shutdown
 * }</pre>
 */
public final class JdbcInbox implements DeliveryInbox, AutoCloseable {

    /** Where a row is in its life. */
    public enum State { PENDING, RUNNING, DONE, DEAD }

    /** The schema version this code needs; {@code db/hookguard/<database>/V<n>__inbox.sql} build it up. */
    static final int SCHEMA_VERSION = 2;
    /** Keys longer than the column are stored as {@code sha256:} and the hex digest of the key; the whole key is kept beside. */
    static final int MAX_KEY_LENGTH = 255;
    /** A claimed row is left to its claimer this long before, unlocked, it counts as orphaned. */
    static final Duration CLAIM_GRACE = Duration.ofSeconds(5);
    /**
     * How old a claim of a row running alone must be before the rescuer counts it lost. Between its claim's commit and
     * the lock that follows, the row is unlocked for a moment; when that lock stalls, its own instance's supervisor
     * gives it back uncounted within {@link Workers#SETTLE_FLOOR}, and must come first.
     */
    static final Duration ALONE_CLAIM_GRACE = CLAIM_GRACE.plus(Workers.SETTLE_FLOOR);
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** The headers a handler may read; never the signature. */
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "User-Agent", "X-Origin-Base-URL", "X-Instance-Id");
    private static final System.Logger LOG = System.getLogger(JdbcInbox.class.getName());

    private final DataSource dataSource;
    private final String table;
    private final boolean allowVolatileDatabase;
    /** Learnt from the database at build, or, when it is away then and a spool takes deliveries, once it answers. */
    private volatile Dialect dialect;
    /** The probe of the database in flight while its dialect is unknown; guarded by probeLock. */
    private CompletableFuture<Dialect> probe;
    /** Not this inbox's lock, which start and stop hold while they wait: a store must never wait on them for this. */
    private final Object probeLock = new Object();
    /** Held while the workers run where the database closes with its last connection (H2); guarded by this. */
    private Connection keptOpen;
    private volatile InboxSql sql;
    /** Takes deliveries while the database cannot; {@code null} without {@code spool(directory)}. */
    private final Spool spool;
    /**
     * Held by {@link #initializeSchema()} and by each batch the spool drains. H2 loses rows committed while an
     * {@code ALTER TABLE} copies the table (seen with H2 2.5: inserts committed during an {@code ADD COLUMN} are gone
     * after it), and the drainer starts as soon as the journal holds anything, in the constructor when a restart finds
     * entries: before the {@code initializeSchema()} an application calls next. Its batch was then committed, and its
     * journal deleted, into a table being migrated: acknowledged deliveries lost. Never taken inside {@code this}.
     */
    private final Object schemaLock = new Object();
    private final int maxAttempts;
    private final Duration firstRetry;
    private final Duration maxRetry;
    private final Duration handlerTimeout;
    private final Duration pollInterval;
    private final int workerCount;
    private final int storeTimeoutSeconds;
    private final long storeTimeoutNanos;
    /** Set once a connection of this DataSource could not be aborted: stores keep a query timeout from then on. */
    private final java.util.concurrent.atomic.AtomicBoolean abortFails = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<InboxListener> listeners;
    /** This instance; each claim's token is {@code <owner>/<claim number>/batch} or {@code .../alone} ({@link Lease}), so no two claims share one. */
    private final String owner = UUID.randomUUID().toString().substring(0, 18);
    private final AtomicLong claims = new AtomicLong();
    private volatile Workers workers;
    private final Map<SignatureScheme, StoredHandler> started = new ConcurrentHashMap<>();
    /**
     * Commits in flight at once on accept: four to begin with, then between one and eight as {@link CommitLimit}
     * learns from how long commits take. Fixed, neither number served both places a database may be: one commit in
     * flight batched the most with the database on the same machine (1.73x a plain INSERT at 16 connections) but fell
     * to 0.64x at 4 connections with the database 0.5 ms away, where each store waited out the commit before its own;
     * four kept that case at 0.93x but lost the first (0.98x to 1.13x). See BENCHMARKS.md.
     */
    private static CommitLimit commitLimit() {
        return new CommitLimit(1, 4, 8);
    }

    /**
     * Accept on PostgreSQL. With a spool, a commit that finds the database away sends the whole queue to the spool at
     * once rather than letting each queued store wait out the same failure.
     */
    private final GroupCommit groupCommit;
    private final ThreadPoolExecutor h2Stores = h2StoreThreads();

    private JdbcInbox(Builder b) {
        this.dataSource = b.dataSource;
        this.table = b.table;
        this.maxAttempts = b.maxAttempts;
        this.firstRetry = b.firstRetry;
        this.maxRetry = b.maxRetry;
        this.handlerTimeout = b.handlerTimeout;
        this.pollInterval = b.pollInterval;
        this.workerCount = b.workers;
        this.storeTimeoutSeconds = (int) Math.max(1, b.storeTimeout.toSeconds());
        this.storeTimeoutNanos = TimeUnit.SECONDS.toNanos(storeTimeoutSeconds);
        this.groupCommit = new GroupCommit(this::commitTogether, commitLimit(), this::sendsTheQueueToTheSpool, Duration.ofSeconds(storeTimeoutSeconds));
        this.listeners = List.copyOf(b.listeners);
        this.allowVolatileDatabase = b.allowVolatileDatabase;
        try {
            // With a spool, an instance starts while its database is away or hangs: it waits one store timeout for it.
            resolveDialect(b.spoolDirectory == null ? Long.MAX_VALUE : storeTimeoutNanos);
        } catch (InboxException e) {
            if (b.spoolDirectory == null || !(e.getCause() instanceof SQLException)) {
                throw e;
            }
            // An instance restarted during an outage still accepts, into its spool, and drains it once the database is back.
            LOG.log(System.Logger.Level.WARNING, () -> "the inbox's database cannot be reached at start (" + e.getMessage()
                    + "); deliveries are spooled until it answers");
        }
        try {
            this.spool = b.spoolDirectory == null ? null
                    : new Spool(b.spoolDirectory, b.spoolMaxBytes, b.spoolMaxAge, System::currentTimeMillis, this::storeSpooled);
        } catch (java.io.IOException e) {
            throw new InboxException("could not open the spool in " + b.spoolDirectory + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private Dialect dialect() {
        Dialect known = dialect;
        return known != null ? known : resolveDialect(storeTimeoutNanos);
    }

    private InboxSql sql() {
        InboxSql known = sql;
        if (known == null) {
            resolveDialect(storeTimeoutNanos);
            known = sql;
        }
        return known;
    }

    /**
     * The database's dialect, learnt from one connection by a probe on a thread of its own. While it is unknown (an
     * instance started during an outage, with a spool), every caller waits on the one probe in flight, for at most
     * {@code waitNanos}: callers used to take turns under a lock, each with a connection attempt of its own, so the
     * sixth of a burst waited six connection timeouts before it was spooled, and behind a database that hangs,
     * every request waited for good. A probe that failed is not waited on again: the next caller starts another.
     */
    private Dialect resolveDialect(long waitNanos) {
        CompletableFuture<Dialect> pending;
        synchronized (probeLock) {
            Dialect known = dialect;
            if (known != null) {
                return known;
            }
            if (probe == null || probe.isDone()) {
                CompletableFuture<Dialect> started = new CompletableFuture<>();
                Thread prober = new Thread(() -> probe(started), "hookguard-inbox-probe");
                prober.setDaemon(true);
                prober.start();
                probe = started;
            }
            pending = probe;
        }
        return awaitProbe(pending, waitNanos);
    }

    /** Takes no lock: whoever waits for it may hold one. */
    private void probe(CompletableFuture<Dialect> result) {
        try {
            Dialect found = Dialect.of(dataSource, allowVolatileDatabase);
            sql = new InboxSql(table, found);
            dialect = found; // after sql: whoever reads the dialect finds its statements
            result.complete(found);
        } catch (Throwable e) {
            result.completeExceptionally(e);
        }
    }

    /** The probe's dialect, or its failure as the caller's own; the caller's interrupt is kept for after. */
    private static Dialect awaitProbe(CompletableFuture<Dialect> pending, long waitNanos) {
        long deadline = System.nanoTime() + waitNanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return waitNanos == Long.MAX_VALUE ? pending.get() : pending.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (waitNanos == Long.MAX_VALUE) { // an application's start, which its owner may cancel
                        throw new InboxException("interrupted while waiting for the inbox's database", e);
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    // A connection that could not be made in time (class 08): unreachable, as a refused one is.
                    throw new InboxException("could not open the inbox's database: it did not answer within the store timeout",
                            new java.sql.SQLTransientConnectionException("the inbox's database did not answer within the store timeout", "08001"));
                } catch (java.util.concurrent.ExecutionException e) {
                    // A copy for each caller: the probe's exception is shared by every caller that waited on it.
                    Throwable cause = e.getCause();
                    if (cause instanceof InboxException refused) {
                        throw new InboxException(refused.getMessage(), refused.getCause());
                    }
                    if (cause instanceof IllegalStateException unsupported) {
                        throw new IllegalStateException(unsupported.getMessage(), unsupported);
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new InboxException("could not open the inbox's database: " + cause.getClass().getName(), cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts an inbox on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates the table and its indexes when they do not exist yet, or migrates a table of an earlier schema version
     * (rows included), from the SQL shipped for this database: the same files a Flyway or Liquibase user runs.
     */
    public void initializeSchema() {
        synchronized (schemaLock) {
            migrate();
        }
    }

    private void migrate() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            // PostgreSQL's DDL is transactional: a migration applies whole or not at all. (H2's statements are each
            // idempotent, and a version is recognised by the last column it adds, so a cut run is run again.)
            c.setAutoCommit(dialect() != Dialect.POSTGRESQL);
            int version = schemaVersion(c);
            for (int v = version + 1; v <= SCHEMA_VERSION; v++) {
                String resource = "/db/hookguard/" + dialect().folder + "/V" + v + "__inbox.sql";
                for (String statement : statements(resource)) {
                    s.execute(statement);
                }
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new InboxException("could not create or migrate the inbox table: " + InboxException.cause(e), e);
        }
    }

    /**
     * What an application does with the schema at startup, by one rule for every adapter: creates or migrates the
     * table when {@code create}, then reads its version. With a spool, a database that cannot be reached (no
     * connection: SQLState class 08) is not a failure: the instance starts, spooling, as it would mid-outage, and the
     * answer is empty (one WARN says so). Any other failure, or one without a spool, is thrown.
     *
     * @return the table's schema version, or empty when the database could not be reached and the spool takes deliveries
     * @throws InboxException when the table cannot be created or read for another reason, or without a spool
     */
    public java.util.OptionalInt prepareSchema(boolean create) {
        try {
            if (create) {
                initializeSchema();
            }
            return java.util.OptionalInt.of(schemaVersion());
        } catch (InboxException e) {
            if (spool == null || !e.unreachable()) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, () -> "the inbox's database cannot be reached at startup (" + e.getMessage()
                    + "): its table is not " + (create ? "created or " : "") + "checked; deliveries are spooled until the database answers");
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * The schema version of the inbox's table: 0 when there is no table, 1 or 2 as built by
     * {@code db/hookguard/<database>/V1__inbox.sql} and {@code V2__inbox.sql}. The inbox needs {@link #requiredSchemaVersion()};
     * {@link #initializeSchema()} brings the table there.
     */
    public int schemaVersion() {
        try (Connection c = dataSource.getConnection()) {
            return schemaVersion(c);
        } catch (SQLException e) {
            throw new InboxException("could not read the inbox table's columns: " + InboxException.cause(e), e);
        }
    }

    /** The schema version this inbox needs. */
    public static int requiredSchemaVersion() {
        return SCHEMA_VERSION;
    }

    /** The folder of this database's schema files in the jar: {@code db/hookguard/postgresql} or {@code db/hookguard/h2}. */
    public String schemaLocation() {
        return "db/hookguard/" + dialect().folder;
    }

    /** 0 without a table, 1 for the first schema, 2 once {@code id} (the last column version 2 adds) exists. */
    private int schemaVersion(Connection c) throws SQLException {
        boolean exists = false;
        boolean partKey = false;
        for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT), table.toLowerCase(java.util.Locale.ROOT))) {
            try (ResultSet rs = c.getMetaData().getColumns(null, null, name, null)) {
                while (rs.next()) {
                    exists = true;
                    partKey |= rs.getString("COLUMN_NAME").equalsIgnoreCase("id");
                }
            }
            if (exists) {
                break;
            }
        }
        return !exists ? 0 : partKey ? 2 : 1;
    }

    private List<String> statements(String resource) {
        String text;
        try (InputStream in = JdbcInbox.class.getResourceAsStream(resource)) {
            text = new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        text = text.replaceAll("(?m)^--.*$", "").replace("hookguard_inbox", table);
        List<String> statements = new ArrayList<>();
        for (String statement : text.split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    /**
     * Stores each part not stored yet, all in one transaction; a part whose earlier delivery died is made pending
     * again (a redelivery is a duplicate only of what was handled, or will be). With a spool: while it holds
     * anything, or when the database refuses or does not answer within the store timeout, the delivery is appended to
     * the spool instead and counts as new; the spool stores it here once the database answers.
     *
     * @return how many parts are new or revived (0: a duplicate)
     * @throws SQLException when the database refuses and there is no spool
     * @throws java.io.IOException when the spool refuses (full, or its disk fails)
     * @throws IllegalArgumentException when a key is not {@linkplain InboxDelivery#keysStorable() storable}
     */
    @Override
    public int store(InboxDelivery delivery) throws SQLException, java.io.IOException {
        if (!delivery.keysStorable()) {
            // Before the database or the spool: a key no column holds would be acknowledged through the spool, never stored.
            throw new IllegalArgumentException("a part's key holds a NUL character or an unpaired surrogate, which no column holds");
        }
        if (spool == null) {
            return storeInDatabase(delivery);
        }
        if (spool.isEmpty()) {
            try {
                return storeInDatabase(delivery);
            } catch (SQLException e) {
                if (!spoolable(e)) {
                    throw e;
                }
                return spool(delivery, e);
            } catch (InboxException e) {
                if (!(e.getCause() instanceof SQLException cause) || !spoolable(cause)) {
                    throw e;
                }
                return spool(delivery, cause);
            }
        }
        return spool(delivery, null); // behind what waits: the database sees deliveries in the order they were acknowledged
    }

    private int spool(InboxDelivery delivery, SQLException why) throws java.io.IOException {
        return spool.append(new SpoolEntry(System.currentTimeMillis(), delivery.scheme().id(), delivery.tenant(), headerText(delivery.headers()),
                delivery.parts(), why != null && !neverReachedTheDatabase(why)), why);
    }

    /**
     * Whether a store failed before any statement of it reached the database (no connection could be had), so that it
     * certainly did not commit; any later failure (a timeout, a connection lost mid-statement) may have followed a commit.
     */
    private static boolean neverReachedTheDatabase(SQLException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof java.net.ConnectException) {
                return true;
            }
            if (cause instanceof SQLException sql && ("08001".equals(sql.getSQLState()) || "08004".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private boolean sendsTheQueueToTheSpool(SQLException failure) {
        return spool != null && spoolable(failure);
    }

    /** A refusal another try may not meet: not bad data (class 22) nor a broken constraint (class 23), which would fail again. */
    private static boolean spoolable(SQLException e) {
        return !badData(e);
    }

    private static boolean badData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** A deadlock or a serialization failure (class 40): this transaction lost to another, which a smaller one may not. */
    private static boolean lostToAnother(SQLException e) {
        String state = e.getSQLState();
        return state != null && state.startsWith("40");
    }

    /** PostgreSQL: concurrent stores share a statement and a commit ({@link GroupCommit}); H2: each in its own. */
    private int storeInDatabase(InboxDelivery delivery) throws SQLException {
        if (dialect() == Dialect.POSTGRESQL) {
            return groupCommit.store(delivery);
        }
        // H2 writes its file through a FileChannel, which an interrupt of any thread inside it closes; even through
        // retry: (which reopens it), an attack that interrupted storing threads at random lost the last commits in about
        // one run of eight. So a caller's thread (a request a container cancels) never enters H2: the store runs on a
        // thread of the inbox's own, which nothing interrupts, and the caller waits for it with its flag held back.
        Future<Integer> store;
        try {
            store = h2Stores.submit(() -> storeAlone(delivery));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new SQLTransientConnectionException("the inbox is closed", "08003", e);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return store.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SQLException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof Error failure) {
                        throw failure;
                    }
                    throw new SQLException("the inbox's store failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Threads only H2 stores run on: one per store in flight, as the callers' own threads were (a queue would add its
     * wait to each store's, beyond the store timeout), each ended after a quiet minute.
     */
    private static ThreadPoolExecutor h2StoreThreads() {
        AtomicInteger names = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), body -> {
            Thread thread = new Thread(body, "hookguard-h2-store-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * One commit for what queued together. A lone single part takes the cheapest statement there is (one autocommit
     * {@code INSERT}); anything more is one statement for all its parts. When that statement fails for bad data (class
     * 22 or 23) or loses to another transaction (class 40: two instances inserting the same keys in another order),
     * each delivery is stored alone so that only the bad one fails; any other failure (the database away, too slow) is
     * every delivery's, since each alone would only meet it again; and once one alone meets it, so do the rest.
     */
    List<GroupCommit.Outcome> commitTogether(List<InboxDelivery> deliveries) {
        long retryUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(storeTimeoutSeconds);
        if (deliveries.size() == 1 && deliveries.get(0).parts().size() == 1) {
            try {
                return List.of(GroupCommit.Outcome.stored(storeAlone(deliveries.get(0))));
            } catch (SQLException e) {
                return List.of(GroupCommit.Outcome.failed(e));
            }
        }
        try {
            return storeInOneStatement(deliveries);
        } catch (SQLException e) {
            if (deliveries.size() == 1 && !lostToAnother(e) || !badData(e) && !lostToAnother(e)) {
                return deliveries.stream().map(d -> GroupCommit.Outcome.failed(e)).toList();
            }
        }
        List<GroupCommit.Outcome> outcomes = new ArrayList<>(deliveries.size());
        SQLException away = null;
        for (InboxDelivery delivery : deliveries) {
            if (away == null && System.nanoTime() - retryUntil > 0) {
                // The members wait for this loop: it gets one storeTimeout in all, not one per delivery.
                away = new java.sql.SQLTimeoutException("the batch's one-by-one retry took longer than the store timeout", "57014");
            }
            if (away != null) {
                outcomes.add(GroupCommit.Outcome.failed(away));
                continue;
            }
            try {
                outcomes.add(storeInOneStatement(List.of(delivery)).get(0));
            } catch (SQLException e) {
                outcomes.add(GroupCommit.Outcome.failed(e));
                if (!badData(e) && !lostToAnother(e)) {
                    away = e;
                }
            }
        }
        return outcomes;
    }

    /**
     * PostgreSQL: every part of these deliveries in one autocommit statement, then, only when some key was stored
     * before, one more that revives those that died. The keys each returns are credited to the first delivery that
     * holds them, so a duplicate within the batch is its own request's 0, never the batch's failure. The two are not
     * one transaction: when the second fails, the delivery is answered as failed with its new parts stored, and its
     * redelivery finds them (a duplicate) and revives what died.
     */
    private List<GroupCommit.Outcome> storeInOneStatement(List<InboxDelivery> deliveries) throws SQLException {
        int rows = 0;
        for (InboxDelivery delivery : deliveries) {
            rows += delivery.parts().size();
        }
        String[] keys = new String[rows];
        String[] partKeys = new String[rows];
        String[] eventTypes = new String[rows];
        String[] schemes = new String[rows];
        String[] tenants = new String[rows];
        byte[][] bodies = new byte[rows][];
        String[] headers = new String[rows];
        int row = 0;
        for (InboxDelivery delivery : deliveries) {
            String text = headerText(delivery.headers());
            for (InboxDelivery.Part part : delivery.parts()) {
                keys[row] = fit(part.key());
                partKeys[row] = part.key();
                eventTypes[row] = cut(part.eventType(), 64);
                schemes[row] = delivery.scheme().id();
                tenants[row] = delivery.tenant();
                bodies[row] = part.body();
                headers[row] = text;
                row++;
            }
        }
        Set<String> stored = new HashSet<>();
        try (StoreDeadline deadline = storeConnection()) {
            Connection c = deadline.connection();
            c.setAutoCommit(true);
            try {
                try (PreparedStatement insert = c.prepareStatement(sql().insertManyPostgresql)) {
                    insert.setQueryTimeout(queryTimeout());
                    // Java arrays, not createArrayOf: the driver sends them in binary, with no text escaping of the bodies.
                    insert.setObject(1, keys);
                    insert.setObject(2, partKeys);
                    insert.setObject(3, eventTypes);
                    insert.setObject(4, schemes);
                    insert.setObject(5, tenants);
                    insert.setObject(6, bodies);
                    insert.setObject(7, headers);
                    collectKeys(insert, stored);
                }
                Set<String> before = new HashSet<>(Arrays.asList(keys));
                before.removeAll(stored);
                if (!before.isEmpty()) {
                    try (PreparedStatement revive = c.prepareStatement(sql().reviveDeadManyPostgresql)) {
                        revive.setQueryTimeout(queryTimeout());
                        revive.setObject(1, before.toArray(String[]::new));
                        collectKeys(revive, stored);
                    }
                }
            } catch (SQLException e) {
                throw deadline.explain(e);
            }
        }
        List<GroupCommit.Outcome> outcomes = new ArrayList<>(deliveries.size());
        row = 0;
        for (InboxDelivery delivery : deliveries) {
            int count = 0;
            for (int i = 0; i < delivery.parts().size(); i++) {
                if (stored.remove(keys[row++])) {
                    count++;
                }
            }
            outcomes.add(GroupCommit.Outcome.stored(count));
        }
        return outcomes;
    }

    private static void collectKeys(PreparedStatement statement, Set<String> into) throws SQLException {
        try (ResultSet returned = statement.executeQuery()) {
            while (returned.next()) {
                into.add(returned.getString(1));
            }
        }
    }

    /**
     * A store's deadline, {@code storeTimeout} after it took its connection. PostgreSQL's is the {@link StoreDeadline}
     * watch, which aborts the connection (a query timeout cannot end a statement on a frozen server, and wakes the
     * driver's timer thread on every statement); H2, in the same process, keeps its own query timeout, checked inside
     * the engine (its abort does nothing).
     */
    private StoreDeadline storeConnection() throws SQLException {
        return connectionWithDeadline(storeTimeoutNanos);
    }

    /** A connection of the pool, watched until {@code timeoutNanos} when stores are; asked whether before it is taken. */
    private StoreDeadline connectionWithDeadline(long timeoutNanos) throws SQLException {
        boolean watched = watched();
        Connection connection = dataSource.getConnection();
        return watched ? StoreDeadline.abortAfter(connection, timeoutNanos, this::abortFails) : StoreDeadline.none(connection);
    }

    /** Whether stores are watched by a {@link StoreDeadline}, or kept to their query timeout. */
    private boolean watched() {
        return dialect() == Dialect.POSTGRESQL && !abortFails.get();
    }

    /** Seconds, or 0 for none: see {@link #storeConnection}; a pool that cannot abort a connection keeps the query timeout. */
    private int queryTimeout() {
        return watched() ? 0 : storeTimeoutSeconds;
    }

    private void abortFails() {
        if (abortFails.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "the DataSource cannot abort a connection (Connection.abort failed): a store past its store"
                    + " timeout is cancelled by a query timeout instead, which a frozen database never answers; use a pool that"
                    + " supports abort, such as HikariCP");
        }
    }

    /** One delivery in a transaction of its own (one autocommit statement for a single part). */
    private int storeAlone(InboxDelivery delivery) throws SQLException {
        String headers = headerText(delivery.headers());
        try (StoreDeadline deadline = storeConnection()) {
            Connection c = deadline.connection();
            boolean single = delivery.parts().size() == 1;
            // One part (a Malcolm! session, an immediate Mautic event): one autocommit statement, no savepoint.
            c.setAutoCommit(single);
            try (PreparedStatement insert = c.prepareStatement(dialect() == Dialect.POSTGRESQL ? sql().insertPostgresql : sql().insert);
                 PreparedStatement revive = c.prepareStatement(sql().reviveDead)) {
                insert.setQueryTimeout(queryTimeout());
                revive.setQueryTimeout(queryTimeout());
                int stored = 0;
                for (InboxDelivery.Part part : delivery.parts()) {
                    // PostgreSQL skips a stored part in the statement itself; H2 needs a savepoint to go on after one.
                    Savepoint before = single || dialect() == Dialect.POSTGRESQL ? null : c.setSavepoint();
                    bind(insert, part, delivery.scheme().id(), delivery.tenant(), headers);
                    try {
                        if (insert.executeUpdate() == 1) {
                            stored++;
                            if (before != null) {
                                c.releaseSavepoint(before);
                            }
                            continue;
                        }
                        // PostgreSQL: on conflict do nothing, so no savepoint was needed.
                        revive.setString(1, fit(part.key()));
                        stored += revive.executeUpdate();
                    } catch (SQLException e) {
                        if (!"23505".equals(e.getSQLState())) {
                            throw e;
                        }
                        if (before != null) {
                            c.rollback(before);
                        }
                        revive.setString(1, fit(part.key()));
                        stored += revive.executeUpdate();
                    }
                }
                if (!single) {
                    c.commit();
                }
                return stored;
            } catch (SQLException e) {
                rollbackAfter(c, single, e);
                throw deadline.explain(e);
            } catch (RuntimeException e) {
                rollbackAfter(c, single, e);
                throw e;
            }
        }
    }

    /** A failed store's transaction rolled back; a rollback that fails too (an aborted connection) is kept with the cause. */
    private static void rollbackAfter(Connection c, boolean autocommit, Exception cause) {
        if (autocommit) {
            return;
        }
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * The spool's drain: its entries, in journal order, in one transaction. A part whose key the inbox holds is
     * skipped; its row, when dead, is made pending again only by an entry that never reached the database (a
     * redelivery of what died is a new chance, whether the database was there to take it or not), never by one the
     * database may hold already ({@link SpoolEntry#mayBeStored()}: the dead row may be that very delivery's).
     */
    private void storeSpooled(List<SpoolEntry> entries) throws SQLException {
        synchronized (schemaLock) { // never into a table initializeSchema() is migrating
            storeSpooledBatch(entries);
        }
    }

    private void storeSpooledBatch(List<SpoolEntry> entries) throws SQLException {
        Dialect database = dialect();
        int drainTimeout = Math.max(30, storeTimeoutSeconds);
        // The query timeout ends a drain that waits on a lock of a live server; the deadline, 5 s later, one whose
        // server froze (its cancel is never answered), which would otherwise hold the drain until the server wakes.
        try (StoreDeadline deadline = connectionWithDeadline(TimeUnit.SECONDS.toNanos(drainTimeout + 5L))) {
            Connection c = deadline.connection();
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(database == Dialect.POSTGRESQL ? sql().insertPostgresql : sql().insert);
                 PreparedStatement revive = c.prepareStatement(database == Dialect.POSTGRESQL ? sql().reviveDeadManyPostgresql : sql().reviveDead)) {
                insert.setQueryTimeout(drainTimeout);
                revive.setQueryTimeout(drainTimeout);
                List<String> keys = new ArrayList<>();
                for (SpoolEntry entry : entries) {
                    for (InboxDelivery.Part part : entry.parts()) {
                        bind(insert, part, entry.scheme(), entry.tenant(), entry.headers());
                        if (database == Dialect.POSTGRESQL) {
                            insert.addBatch();
                            if (!entry.mayBeStored()) {
                                keys.add(fit(part.key()));
                            }
                            continue;
                        }
                        Savepoint before = c.setSavepoint();
                        try {
                            insert.executeUpdate();
                            c.releaseSavepoint(before);
                        } catch (SQLException e) {
                            if (!"23505".equals(e.getSQLState())) {
                                throw e;
                            }
                            c.rollback(before);
                            if (!entry.mayBeStored()) {
                                revive.setString(1, fit(part.key()));
                                revive.executeUpdate();
                            }
                        }
                    }
                }
                if (database == Dialect.POSTGRESQL) {
                    insert.executeBatch();
                }
                if (database == Dialect.POSTGRESQL && !keys.isEmpty()) {
                    // Rows this batch inserted are pending: only keys the inbox held dead are touched.
                    revive.setObject(1, keys.toArray(String[]::new));
                    try (ResultSet revived = revive.executeQuery()) {
                        while (revived.next()) {
                            // consumed: the statement returns the keys it revived
                        }
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException ignored) {
                    // the connection is gone (lost, or aborted at its deadline): the drain tries the batch again, and
                    // what did commit is then skipped by its key
                }
                throw e;
            }
        }
    }

    /** What this instance's spool holds; empty without a spool. */
    public Optional<SpoolCounts> spoolCounts() {
        return spool == null ? Optional.empty() : Optional.of(spool.counts());
    }

    /** The spool, for tests in this package. */
    Spool spool() {
        return spool;
    }

    private static void bind(PreparedStatement insert, InboxDelivery.Part part, String scheme, String tenant, String headers) throws SQLException {
        insert.setString(1, fit(part.key()));
        insert.setString(2, part.key());
        insert.setString(3, cut(part.eventType(), 64));
        insert.setString(4, scheme);
        insert.setString(5, tenant);
        insert.setBytes(6, part.body());
        insert.setString(7, headers);
    }

    /**
     * Starts handling the rows of these endpoints' senders with their handlers (one endpoint per scheme), for an
     * application that owns its endpoints; adapters start them for you. The workers take the endpoints' handlers
     * only ({@link Adapters#storedHandler}), never the endpoints.
     *
     * @throws IllegalStateException when another endpoint was already started for one of these schemes
     */
    public void start(WebhookEndpoint<?>... endpoints) {
        start(java.util.Arrays.stream(endpoints).map(Adapters::storedHandler).toArray(StoredHandler[]::new));
    }

    /**
     * Starts handling the rows of these senders with their handlers (one per scheme). Calls add up: each adapter may
     * start the endpoint it serves, and the workers, started by the first call, then claim the rows of every scheme
     * given so far, and no other (an instance that serves only Mautic leaves Malcolm! rows to the instances that do).
     *
     * @throws IllegalStateException when another endpoint was already started for one of these schemes
     */
    @Override
    public void start(StoredHandler... handlers) {
        // Outside this inbox's lock: stop() and close() must not wait a store timeout for this wait.
        Dialect known;
        try {
            known = dialect();
        } catch (InboxException e) {
            known = null; // away at start: the workers wait for it as they would mid-run
        }
        startWorkers(known, handlers);
    }

    private synchronized void startWorkers(Dialect database, StoredHandler... handlers) {
        Map<SignatureScheme, StoredHandler> byScheme = new EnumMap<>(SignatureScheme.class);
        for (StoredHandler handler : handlers) {
            StoredHandler known = byScheme.containsKey(handler.scheme()) ? byScheme.get(handler.scheme()) : started.get(handler.scheme());
            if (known != null && known != handler) {
                throw new IllegalStateException("two endpoints for " + handler.scheme().id());
            }
            byScheme.put(handler.scheme(), handler);
        }
        started.putAll(byScheme);
        if (workers == null && !started.isEmpty()) {
            workers = new Workers(this, started, workerCount, pollInterval, handlerTimeout);
            workers.start();
            // Away at start: the workers wait for it as they would mid-run.
            if (database == null) {
                LOG.log(System.Logger.Level.WARNING, "could not hold the database open while the workers run: it did not answer at start");
            } else {
                try {
                    keptOpen = database.holdOpen(dataSource);
                } catch (SQLException e) {
                    LOG.log(System.Logger.Level.WARNING, () -> "could not hold the database open while the workers run: " + InboxException.cause(e));
                }
            }
        }
    }

    /**
     * Stops claiming, lets what runs finish within {@code deadline}, then gives back what did not (its attempt not
     * counted), so another instance takes those rows at once. A later {@link #start} starts afresh.
     */
    @Override
    public synchronized void stop(Duration deadline) {
        // A caller's interrupt (a shutdown hook's, an executor's shutdownNow) is kept for after the stop: the stop
        // waits out its deadline, and no JDBC call made here meets it (H2 closes its file on one).
        boolean interrupted = Thread.interrupted();
        try {
            if (workers != null) {
                workers.stop(deadline);
                workers = null;
            }
            interrupted |= Thread.interrupted(); // one that came during the stop's wait, which keeps it for after
            if (keptOpen != null) {
                try {
                    keptOpen.close();
                } catch (SQLException e) {
                    // closing an idle connection: nothing was pending on it
                }
                keptOpen = null;
            }
            started.clear();
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops the workers (what they hold is given back at once) and closes the spool: its directory is free for the
     * next inbox, and what it holds stays on disk, drained by that inbox. Spring calls it when its context closes;
     * the servlet filter in its {@code destroy}. The inbox cannot store afterwards.
     */
    @Override
    public void close() {
        stop(Duration.ZERO);
        h2Stores.shutdown(); // the stores it runs finish; a store after the close is refused
        if (spool != null) {
            spool.close();
        }
    }

    /**
     * How many worker threads are alive and not stuck past their handler timeout: 0 while stopped. A worker thread
     * that ends is replaced at once, so 0 after {@link #start} means the instance cannot handle anything: its health
     * is DOWN.
     */
    public int liveWorkers() {
        Workers current = workers;
        return current == null ? 0 : current.alive();
    }

    /** Whether workers were started and not stopped. */
    public boolean isStarted() {
        return workers != null;
    }

    // ---- operate ----

    /** The rows in {@code state}, newest first, at most {@code limit}; never their bodies. */
    public List<InboxEntry> list(State state, int limit) {
        return list(EnumSet.of(state), Long.MAX_VALUE, limit);
    }

    /**
     * One page of the rows in {@code states}, newest first, of those older than {@code beforeId} ({@link Long#MAX_VALUE}
     * for the first page, then the last entry's {@link InboxEntry#id()}): keyset-paged, so a page costs the same
     * however large the table, and never reads a body.
     */
    public List<InboxEntry> list(Set<State> states, long beforeId, int limit) {
        if (states.isEmpty()) {
            return List.of();
        }
        List<State> ordered = List.copyOf(EnumSet.copyOf(states));
        return query(sql().list(ordered.size()), ps -> {
            int i = 1;
            for (State state : ordered) {
                ps.setString(i++, state.name());
            }
            ps.setLong(i++, beforeId);
            ps.setInt(i, Math.max(1, Math.min(limit, 10_000)));
        });
    }

    /** One row by its key (the whole key, or the stored {@code sha256:} form); without its body. */
    public Optional<InboxEntry> show(String key) {
        return query(sql().show, ps -> ps.setString(1, fit(key))).stream().findFirst();
    }

    /** The body a row holds: the part's own bytes (a Mautic event in an array under its type, or the Malcolm! session). */
    public Optional<byte[]> body(String key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql().body)) {
            ps.setString(1, fit(key));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be read: " + InboxException.cause(e), e);
        }
    }

    /**
     * Makes a dead (or done) row pending again, due now, with its attempts counted from zero; false when there is no
     * such row in either state (a row pending or running is left to its worker: a replay never races a retry).
     */
    public boolean replay(String key) {
        return update(sql().replay, ps -> ps.setString(1, fit(key))) == 1;
    }

    /** Replays every dead row in one statement; how many. */
    public int replayDead() {
        return update(sql().replayDead, ps -> { });
    }

    /** Deletes rows done longer than {@code age} ago; how many. Their keys are then forgotten: a replay of them is handled again. */
    public int purgeDone(Duration age) {
        return update(sql().purgeDone, ps -> ps.setLong(1, age.toMillis()));
    }

    /** How many rows are in each state, and how long the oldest pending and the oldest due row have waited (by the database's clock). */
    public InboxCounts counts() {
        Map<State, Long> counts = new EnumMap<>(State.class);
        for (State state : State.values()) {
            counts.put(state, 0L);
        }
        long oldestReceived = -1;
        long oldestDue = -1;
        long now = 0;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql().count)) {
            while (rs.next()) {
                State state = State.valueOf(rs.getString(1));
                counts.put(state, rs.getLong(2));
                now = rs.getLong(5);
                if (state == State.PENDING) {
                    oldestReceived = rs.getLong(3);
                    oldestDue = rs.getLong(4);
                }
            }
        } catch (SQLException e) {
            throw new InboxException("could not count the inbox: " + InboxException.cause(e), e);
        }
        return new InboxCounts(counts.get(State.PENDING), counts.get(State.RUNNING), counts.get(State.DONE), counts.get(State.DEAD),
                oldestReceived < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, now - oldestReceived)),
                oldestDue < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, now - oldestDue)));
    }

    // ---- for the workers ----

    /**
     * Claims up to {@code limit} due pending rows of these schemes, each attempt counted and committed before any
     * handler runs (so a handler that kills its process still uses up an attempt).
     */
    List<Lease> claim(int limit, Set<SignatureScheme> schemes) throws SQLException {
        if (schemes.isEmpty()) {
            return List.of();
        }
        String token = Lease.batchToken(owner, claims.incrementAndGet());
        String schemeList = schemeList(schemes);
        List<Lease> leases = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            if (dialect() == Dialect.POSTGRESQL) {
                c.setAutoCommit(true);
                try (PreparedStatement claim = c.prepareStatement(sql().claimDuePostgresql(schemeList))) {
                    claim.setInt(1, limit);
                    claim.setString(2, token);
                    try (ResultSet rs = claim.executeQuery()) {
                        while (rs.next()) {
                            leases.add(new Lease(rs.getString(1), token, rs.getInt(2), Failure.WORKER_LOST.equals(rs.getString(3))));
                        }
                    }
                }
                return leases;
            }
            c.setAutoCommit(false);
            try {
                try (PreparedStatement select = c.prepareStatement(sql().selectDue(schemeList))) {
                    select.setInt(1, limit);
                    try (ResultSet rs = select.executeQuery()) {
                        while (rs.next()) {
                            leases.add(new Lease(rs.getString(1), token, rs.getInt(2) + 1, Failure.WORKER_LOST.equals(rs.getString(3))));
                        }
                    }
                }
                markClaimed(c, leases);
                c.commit();
                return leases;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * The rescuer (River's and Oban's, with liveness from locks rather than from a fixed time): running rows that no
     * live transaction locks lost their worker (thread, process, machine, connection). Each is made due again at once
     * for any worker to claim, marked {@code worker_lost}. Whether the lost attempt counts depends on how the row ran
     * ({@link Lease.Run}): a row of a batch gets it back, since a process that dies takes every row its workers had
     * in hand, and which of them killed it is unknown; such a row then runs alone in its instance, nothing beside it,
     * and a row that loses its worker there keeps the attempt counted, and ends dead ({@code worker_lost}) when its
     * attempts are used up, rather than looping: it killed its worker. So a row that kills its instance dies of its
     * own crashes, and its neighbours, which never reached their handler, are handled. (A token of an earlier release
     * counts as alone when this pass finds no other row of its claim.)
     *
     * @return how many rows were rescued, and the senders of those now dead
     */
    Rescued rescue(int limit, Set<SignatureScheme> schemes) throws SQLException {
        return rescue(limit, schemes, Set::of);
    }

    /**
     * {@link #rescue(int, Set)}, leaving out the rows under {@code owedClaims}, which their supervisor still settles;
     * read once the orphans are locked, so that a claim owed before its row was unlocked is always seen.
     */
    Rescued rescue(int limit, Set<SignatureScheme> schemes, java.util.function.Supplier<Set<String>> owedClaims) throws SQLException {
        if (schemes.isEmpty()) {
            return new Rescued(0, List.of());
        }
        int rescued = 0;
        List<SignatureScheme> dead = new ArrayList<>();
        List<String> deadKeys = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement select = c.prepareStatement(sql().selectOrphaned(schemeList(schemes)));
                 PreparedStatement rescue = c.prepareStatement(sql().rescueOrphan)) {
                select.setLong(1, ALONE_CLAIM_GRACE.toMillis());
                select.setLong(2, CLAIM_GRACE.toMillis());
                select.setInt(3, limit);
                record Orphan(String key, int attempts, String scheme, String claim) {
                }
                List<Orphan> orphans = new ArrayList<>();
                Map<String, Integer> perClaim = new java.util.HashMap<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        Orphan orphan = new Orphan(rs.getString(1), rs.getInt(2), rs.getString(3), String.valueOf(rs.getString(4)));
                        if (Lease.run(orphan.claim()) == Lease.Run.ALONE && rs.getInt(5) == 0) {
                            continue; // a row running alone, claimed lately: its supervisor decides first
                        }
                        orphans.add(orphan);
                    }
                }
                Set<String> owed = owedClaims.get(); // an owed update is recorded before its row's transaction is aborted
                orphans.removeIf(orphan -> owed.contains(orphan.claim()));
                orphans.forEach(orphan -> perClaim.merge(orphan.claim(), 1, Integer::sum));
                for (Orphan orphan : orphans) {
                    Lease.Run run = Lease.run(orphan.claim());
                    boolean counted = run == Lease.Run.ALONE || run == Lease.Run.UNKNOWN && perClaim.get(orphan.claim()) == 1;
                    boolean last = counted && orphan.attempts() >= maxAttempts;
                    rescue.setString(1, last ? "DEAD" : "PENDING");
                    rescue.setInt(2, counted ? 0 : 1);
                    rescue.setString(3, Failure.WORKER_LOST);
                    rescue.setString(4, counted
                            ? "the worker handling attempt " + orphan.attempts() + " alone stopped (process, thread or connection lost)"
                            : "the worker handling its batch stopped (process, thread or connection lost); the attempt is not counted, and it runs alone next");
                    rescue.setString(5, orphan.key());
                    rescue.addBatch();
                    rescued++;
                    if (last) {
                        deadKeys.add(orphan.key());
                        dead.add(SignatureScheme.named(orphan.scheme()));
                    }
                }
                if (rescued > 0) {
                    rescue.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        deadKeys.forEach(key -> LOG.log(System.Logger.Level.WARNING, () -> "inbox row " + printable(key) + " is dead: its worker stopped on its last of "
                + maxAttempts + " attempts (worker_lost); replay it once fixed"));
        return new Rescued(rescued, dead);
    }

    /** What a rescue did: how many orphaned rows it found, and the senders of those it left dead. */
    record Rescued(int count, List<SignatureScheme> dead) {
    }

    private void markClaimed(Connection c, List<Lease> leases) throws SQLException {
        if (leases.isEmpty()) {
            return;
        }
        try (PreparedStatement mark = c.prepareStatement(sql().markClaimed)) {
            for (Lease lease : leases) {
                mark.setString(1, lease.token());
                mark.setString(2, lease.key());
                mark.addBatch();
            }
            mark.executeBatch();
        }
    }

    private static String schemeList(Set<SignatureScheme> schemes) {
        // Scheme ids are the library's own constants, never input.
        return String.join(", ", schemes.stream().map(s -> "'" + s.id() + "'").toList());
    }

    /** A claimed row as its handler needs it, locked by the handling transaction. */
    record Claimed(Lease lease, String partKey, SignatureScheme scheme, String tenant, byte[] body, Headers headers) {
    }

    /** A transaction for handling claimed rows: opened, watched as this database needs. */
    Connection openHandling() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            dialect().beginHandling(c);
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Locks the rows these leases claimed, in the handling transaction, for as long as their handlers run; a row
     * whose lease is no longer its own (given back, taken over) is not returned.
     */
    List<Claimed> lock(Connection transaction, List<Lease> leases) throws SQLException {
        Map<String, Lease> byKey = new LinkedHashMap<>();
        leases.forEach(l -> byKey.put(l.key(), l));
        List<Claimed> locked = new ArrayList<>();
        try (PreparedStatement ps = transaction.prepareStatement(sql().lockClaimed(leases.size()))) {
            ps.setString(1, leases.get(0).token());
            int i = 2;
            for (Lease lease : leases) {
                ps.setString(i++, lease.key());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Lease lease = byKey.get(rs.getString(1));
                    locked.add(new Claimed(lease, rs.getString(2), SignatureScheme.named(rs.getString(3)), rs.getString(4), rs.getBytes(5),
                            headers(rs.getString(6))));
                }
            }
        }
        return locked;
    }

    /** Why an attempt failed, kept as the thrown class and its message (both cut to their columns). */
    record Failure(String type, String message) {
        static final String NOT_HANDLED = "not_handled";
        static final String HANDLER_TIMEOUT = "handler_timeout";
        static final String WORKER_LOST = "worker_lost";

        static Failure of(Throwable t) {
            return new Failure(t.getClass().getName(), t.getMessage());
        }
    }

    /** How an attempt settles. */
    enum Settlement { DONE, RETRY, DEAD, GIVEN_BACK }

    /**
     * Settles handled rows in the handling transaction (the caller commits): done, failed (retry or dead by the
     * lease's attempt), or given back. Returns how each settled; a lease no longer the row's own changes nothing.
     */
    Map<Lease, Settlement> settle(Connection transaction, List<Lease> done, Map<Lease, Failure> failed, List<Lease> givenBack) throws SQLException {
        Map<Lease, Settlement> settled = new LinkedHashMap<>();
        done.forEach(lease -> settled.put(lease, Settlement.DONE));
        failed.keySet().forEach(lease -> settled.put(lease, lease.attempt() >= maxAttempts ? Settlement.DEAD : Settlement.RETRY));
        givenBack.forEach(lease -> settled.put(lease, Settlement.GIVEN_BACK));
        inBatch(transaction, sql().markDone, done, (ps, lease) -> bindLease(ps, lease));
        inBatch(transaction, sql().markFailed, failed.keySet(), (ps, lease) -> bindFailure(ps, lease, failed.get(lease)));
        inBatch(transaction, sql().giveBack, givenBack, (ps, lease) -> bindLease(ps, lease));
        return settled;
    }

    @FunctionalInterface
    private interface LeaseBinder {
        void bind(PreparedStatement statement, Lease lease) throws SQLException;
    }

    /** One statement run for each lease, sent as one batch. */
    private static void inBatch(Connection c, String statement, java.util.Collection<Lease> leases, LeaseBinder binder) throws SQLException {
        if (leases.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(statement)) {
            for (Lease lease : leases) {
                binder.bind(ps, lease);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** {@code delivery_key = ? and lease_owner = ?}: the row, while this lease is still its own. */
    private static void bindLease(PreparedStatement ps, Lease lease) throws SQLException {
        ps.setString(1, lease.key());
        ps.setString(2, lease.token());
    }

    /** Fails one row outside any handling transaction (its handler was abandoned); true when the lease still held it. */
    boolean failAbandoned(Lease lease, Failure failure) {
        return update(sql().markFailed, ps -> bindFailure(ps, lease, failure)) == 1;
    }

    /** {@link #failAbandoned(Lease, Failure)} for a caller that must not wait long, with no thread to spare ({@link #briefly}). */
    boolean failAbandoned(Lease lease, Failure failure, Duration within) throws SQLException {
        return briefly(within, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql().markFailed)) {
                briefly(ps, within);
                bindFailure(ps, lease, failure);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** {@link #giveBack(List)} for a caller that must not wait long, with no thread to spare ({@link #briefly}); in order. */
    void giveBack(List<Lease> leases, Duration within) throws SQLException {
        if (leases.isEmpty()) {
            return;
        }
        briefly(within, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql().giveBack)) {
                briefly(ps, within);
                for (Lease lease : leases) { // one statement each, in order: see Workers' giveBackUnlessItRan
                    bindLease(ps, lease);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /**
     * Runs {@code work} in a transaction of its own, bounded by {@code within} with no thread of its own: it runs
     * when none could be made. Neither the store watch nor the PostgreSQL driver's query timeout will do, since each
     * needs a thread that may not be running. On PostgreSQL the server ends it itself ({@code lock_timeout},
     * {@code statement_timeout}: a client that only gave up would leave it waiting on its lock, to land later), and
     * the socket's read timeout ({@link Connection#setNetworkTimeout}), a second later, ends a wait on a server that
     * froze. H2 checks its query timeout itself.
     */
    private <T> T briefly(Duration within, SqlWork<T> work) throws SQLException {
        long millis = Math.max(1, within.toMillis());
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int networkTimeout = c.getNetworkTimeout();
            boolean postgresql = dialect() == Dialect.POSTGRESQL;
            try {
                c.setAutoCommit(false);
                if (postgresql) {
                    c.setNetworkTimeout(Runnable::run, (int) (millis + 1_000));
                    try (Statement s = c.createStatement()) {
                        s.execute("set local lock_timeout = " + millis);
                        s.execute("set local statement_timeout = " + millis);
                    }
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackAfter(c, false, e);
                throw e;
            } finally {
                try { // not every pool restores them before lending the connection again
                    c.setAutoCommit(autoCommit);
                    if (postgresql) {
                        c.setNetworkTimeout(Runnable::run, networkTimeout);
                    }
                } catch (SQLException closed) {
                    // the socket's timeout fired, and the driver closed the connection: no pool lends it again
                }
            }
        }
    }

    private void briefly(PreparedStatement ps, Duration within) throws SQLException {
        if (dialect() != Dialect.POSTGRESQL) {
            ps.setQueryTimeout((int) Math.max(1, within.toSeconds()));
        }
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Keeps a claimed row from the rescuer while it waits to run alone, holding no connection meanwhile: its claim
     * time is made fresh. False when the row is no longer the lease's (rescued: it waited too long between two calls).
     */
    boolean keepClaim(Lease lease) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement keep = c.prepareStatement(sql().keepClaimed)) {
            c.setAutoCommit(true);
            keep.setString(1, lease.key());
            keep.setString(2, lease.token());
            return keep.executeUpdate() == 1;
        }
    }

    /**
     * Gives {@code keep}, a claimed row that lost its worker before, its claim of its own ({@link #ownClaim}, claimed
     * now), committed in {@code handling}, the transaction that then locks and handles it at
     * once: no wait for a connection comes between, in which the rescuer would find it unlocked and count a worker
     * lost. False when the row is no longer the lease's.
     */
    boolean claimAlone(Connection handling, Lease keep, Lease own) throws SQLException {
        int claimed;
        try (PreparedStatement reclaim = handling.prepareStatement(sql().reclaimAlone)) {
            reclaim.setString(1, own.token());
            reclaim.setString(2, keep.key());
            reclaim.setString(3, keep.token());
            claimed = reclaim.executeUpdate();
        }
        handling.commit();
        dialect().beginHandling(handling); // its settings lasted the committed transaction only
        return claimed == 1;
    }

    /**
     * The claim of its own that {@code keep} gets to run alone: {@link Lease.Run#ALONE}, or, with {@code besideNothing}
     * false (an abandoned handler of this instance may still run), a batch's, which a lost worker does not charge.
     */
    Lease ownClaim(Lease keep, boolean besideNothing) {
        long claim = claims.incrementAndGet();
        return new Lease(keep.key(), besideNothing ? Lease.aloneToken(owner, claim) : Lease.batchToken(owner, claim), keep.attempt(),
                keep.lostItsWorker());
    }

    /** Threads of abandoned workers, and when each was abandoned: kept across a stop and a start, as the threads are. */
    private final Map<Thread, Long> abandonedThreads = new ConcurrentHashMap<>();

    void abandoned(Thread worker) {
        abandonedThreads.put(worker, System.nanoTime());
    }

    /** Whether a handler abandoned within {@code latelyNanos} may still run, and so kill the process beside another row. */
    boolean abandonedHandlerMayStillRun(long latelyNanos) {
        abandonedThreads.keySet().removeIf(thread -> !thread.isAlive());
        long now = System.nanoTime();
        return abandonedThreads.values().stream().anyMatch(at -> now - at < latelyNanos);
    }

    /** Gives back rows outside any handling transaction (their worker was abandoned). */
    void giveBack(List<Lease> leases) {
        if (leases.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            inBatch(c, sql().giveBack, leases, JdbcInbox::bindLease);
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be updated: " + InboxException.cause(e), e);
        }
    }

    private void bindFailure(PreparedStatement ps, Lease lease, Failure failure) throws SQLException {
        boolean dead = lease.attempt() >= maxAttempts;
        ps.setString(1, dead ? "DEAD" : "PENDING");
        ps.setLong(2, dead ? 0 : backoff(lease.attempt()).toMillis());
        ps.setString(3, cut(failure.type(), 255));
        ps.setString(4, failure.message() == null ? null : cut(failure.message(), 1000));
        ps.setString(5, lease.key());
        ps.setString(6, lease.token());
    }

    /** Cut to a column; without NUL, which PostgreSQL refuses in text (a message may quote a sender's value). */
    private static String cut(String text, int length) {
        String clean = text.replace('\u0000', ' ');
        return clean.length() <= length ? clean : clean.substring(0, length - 1) + "…";
    }

    /** A key as a log line may show it: a sender chose its text, so no control character and no more than 120 characters. */
    static String printable(String key) {
        StringBuilder out = new StringBuilder(Math.min(key.length(), 121));
        for (int i = 0; i < key.length() && i < 120; i++) {
            char ch = key.charAt(i);
            out.append(Character.isISOControl(ch) ? '?' : ch);
        }
        return key.length() > 120 ? out.append('…').toString() : out.toString();
    }

    /** The wait before attempt {@code attempts + 1}: doubling from the first retry, capped, with up to half of it as jitter. */
    Duration backoff(int attempts) {
        long base = firstRetry.toMillis() << Math.min(30, Math.max(0, attempts - 1));
        long capped = Math.min(base, maxRetry.toMillis());
        long jitter = (long) (capped * 0.5 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(capped - jitter);
    }

    /** Tells every listener; a failing listener is logged by class, never stops a worker. */
    void tell(Consumer<InboxListener> event) {
        for (InboxListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, () -> "an inbox listener failed: " + e.getClass().getName());
            }
        }
    }

    int maxAttempts() {
        return maxAttempts;
    }

    static Headers headers(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return Headers.of(headers);
    }

    private static String headerText(Headers headers) {
        StringBuilder text = new StringBuilder();
        for (String name : KEPT_HEADERS) {
            String value = headers.get(name);
            if (value != null && value.length() < 900 && value.indexOf('\n') < 0 && value.indexOf('\u0000') < 0) { // PostgreSQL refuses NUL in text
                text.append(name).append(": ").append(value).append('\n');
            }
        }
        return text.toString();
    }

    /** The key as the primary key column holds it: itself, or {@code sha256:} and its digest when longer than the column. */
    static String fit(String key) {
        if (key.length() <= MAX_KEY_LENGTH) {
            return key;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the handler's transaction ----

    /** The handling transaction as the running handler sees it; a savepoint is set the first time it asks. */
    static final class HandlerTransaction {
        private final Connection connection;
        private Savepoint savepoint;

        HandlerTransaction(Connection connection) {
            this.connection = connection;
        }

        Connection connection() throws SQLException {
            if (savepoint == null) {
                savepoint = connection.setSavepoint();
            }
            return connection;
        }

        /** Keeps what the handler wrote (it succeeded); fails when its statements left the transaction unusable. */
        void release() throws SQLException {
            if (savepoint != null) {
                connection.releaseSavepoint(savepoint);
            }
        }

        /** Undoes what the handler wrote (it failed); nothing when it never asked for the transaction. */
        void rollback() throws SQLException {
            if (savepoint != null) {
                connection.rollback(savepoint);
            }
        }
    }

    static final ThreadLocal<HandlerTransaction> CURRENT = new ThreadLocal<>();

    /**
     * Inside a handler that an inbox worker runs: the connection of the transaction in which the delivery is then
     * marked done. Write your rows through it (and do not commit, close or change its auto-commit) and they commit
     * together with "done", or, when the handler fails, not at all: effects exactly once where they live in the
     * inbox's database. Empty outside a worker (direct mode), where handling is what the endpoint does in the request.
     */
    public static Optional<Connection> currentTransaction() {
        HandlerTransaction current = CURRENT.get();
        if (current == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(current.connection());
        } catch (SQLException e) {
            throw new InboxException("the inbox's transaction is gone: " + InboxException.cause(e), e);
        }
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private int update(String statement, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            c.setAutoCommit(true);
            ps.setQueryTimeout(30);
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be updated: " + InboxException.cause(e), e);
        }
    }

    private List<InboxEntry> query(String statement, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            binder.bind(ps);
            List<InboxEntry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(InboxEntry.read(rs));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be read: " + InboxException.cause(e), e);
        }
    }

    /** Builds a {@link JdbcInbox}. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = "hookguard_inbox";
        private int maxAttempts = 8;
        private Duration firstRetry = Duration.ofSeconds(10);
        private Duration maxRetry = Duration.ofHours(1);
        private Duration handlerTimeout = Duration.ofMinutes(5);
        private Duration pollInterval = Duration.ofMillis(500);
        private int workers = 2;
        private Duration storeTimeout = Duration.ofSeconds(5);
        private boolean allowVolatileDatabase;
        private java.nio.file.Path spoolDirectory;
        private long spoolMaxBytes = 1L << 30;
        private Duration spoolMaxAge = Duration.ofHours(24);
        private final List<InboxListener> listeners = new ArrayList<>();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The table (default {@code hookguard_inbox}); letters, digits and underscores only. */
        public Builder table(String table) {
            if (table == null || !IDENTIFIER.matcher(table).matches()) {
                throw new IllegalArgumentException("table must be a plain SQL identifier");
            }
            this.table = table;
            return this;
        }

        /** Attempts before a row is dead (default 8); every claim counts, including one whose worker died. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The first retry's delay (default 10 s), doubling from there up to {@code max} (default 1 h), less up to half as jitter. */
        public Builder backoff(Duration first, Duration max) {
            if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
                throw new IllegalArgumentException("the backoff needs 0 < first <= max");
            }
            this.firstRetry = first;
            this.maxRetry = max;
            return this;
        }

        /**
         * How long one handler may run (default 5 min). Past it the handler's thread is interrupted and the attempt
         * fails ({@code handler_timeout}); a handler that ignores the interrupt is abandoned two seconds later: its
         * transaction is aborted, its worker replaced. A handler that runs long but within it is never overtaken.
         */
        public Builder handlerTimeout(Duration handlerTimeout) {
            if (handlerTimeout.isNegative() || handlerTimeout.isZero()) {
                throw new IllegalArgumentException("the handler timeout must be positive");
            }
            this.handlerTimeout = handlerTimeout;
            return this;
        }

        /** How often an idle worker looks for due rows (default 500 ms). */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /** How many worker threads (default 2). */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("at least one worker");
            }
            this.workers = workers;
            return this;
        }

        /** How long storing one delivery may take before the endpoint answers 503 (default 5 s, in whole seconds). */
        public Builder storeTimeout(Duration storeTimeout) {
            this.storeTimeout = Objects.requireNonNull(storeTimeout, "storeTimeout");
            return this;
        }

        /**
         * Keeps a spool in {@code directory}: while the database refuses or does not answer within the store timeout,
         * verified deliveries are appended to a journal there, forced to disk and answered 202, then stored in the
         * inbox, in order and each part once, as soon as the database answers; a restart drains what the journal holds.
         * Each instance needs a directory of its own on a disk that outlives the process (a persistent volume);
         * a second inbox on the same directory is refused.
         */
        public Builder spool(java.nio.file.Path directory) {
            this.spoolDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * The spool's bounds (default 1 GiB and 24 h): past either (its size, or the age of its oldest delivery),
         * deliveries are answered 503 with {@code Retry-After}, as without a spool; nothing spooled is dropped.
         */
        public Builder spoolLimits(long maxBytes, Duration maxAge) {
            if (maxBytes < 1 || maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("the spool's bounds must be positive");
            }
            this.spoolMaxBytes = maxBytes;
            this.spoolMaxAge = maxAge;
            return this;
        }

        /** Adds a listener told what the workers did with each row (for counters). */
        public Builder listener(InboxListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Accepts an in-memory H2 database, which a crash empties: for tests only. */
        public Builder allowVolatileDatabase() {
            this.allowVolatileDatabase = true;
            return this;
        }

        /**
         * @throws IllegalStateException on a database other than PostgreSQL or H2, or on an in-memory H2 not allowed
         * @throws InboxException when the database cannot be reached, with the cause in words
         */
        public JdbcInbox build() {
            return new JdbcInbox(this);
        }
    }
}
