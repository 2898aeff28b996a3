package dev.hookguard.inbox;

import dev.hookguard.delivery.DeliveryInbox;
import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.InboxDelivery;
import dev.hookguard.delivery.WebhookEndpoint;
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
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A durable inbox on JDBC (PostgreSQL, H2): an endpoint built with {@code .inbox(inbox)} stores each verified
 * delivery here and answers 2xx once the transaction committed; {@link #start workers} then claim due rows under a
 * lease ({@code FOR UPDATE SKIP LOCKED}), run the endpoint's handlers, and mark them done, or retry them with
 * exponential backoff and jitter, or, after the last attempt, dead. A worker that dies mid-handler loses its
 * lease and another takes the row: handling is at least once, and exactly once for what a handler writes through
 * {@link #currentTransaction()}, which commits with "done".
 *
 * <pre>{@code
 * JdbcInbox inbox = JdbcInbox.builder(dataSource).build();
 * inbox.initializeSchema();                       // or db/hookguard/{postgresql,h2}/V1__inbox.sql in your migrations
 * WebhookEndpoint<MauticBatch> mautic = WebhookEndpoint.mautic().secretsFromEnvironment("HOOKGUARD_MAUTIC_SECRETS")
 *         .on(FormSubmitted.class, form -> issues.open(form.submission()))
 *         .inbox(inbox)
 *         .build();
 * inbox.start(mautic);                            // workers; inbox.stop(Duration.ofSeconds(10)) on shutdown
 * }</pre>
 */
public final class JdbcInbox implements DeliveryInbox {

    /** Where a row is in its life. */
    public enum State { PENDING, RUNNING, DONE, DEAD }

    /** Keys longer than the column are stored as {@code sha256:} and the hex digest of the key. */
    static final int MAX_KEY_LENGTH = 255;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    /** The headers a handler may read; never the signature. */
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "User-Agent", "X-Origin-Base-URL", "X-Instance-Id");

    private final DataSource dataSource;
    private final String table;
    private final Dialect dialect;
    private final int maxAttempts;
    private final Duration firstRetry;
    private final Duration maxRetry;
    private final Duration lease;
    private final Duration pollInterval;
    private final int workerCount;
    private final int storeTimeoutSeconds;
    private final Clock clock;
    private final List<InboxListener> listeners;
    /** This instance; each claim's lease is {@code <owner>/<claim number>}, so no two workers ever hold the same lease. */
    private final String owner = UUID.randomUUID().toString().substring(0, 18);
    private final java.util.concurrent.atomic.AtomicLong claims = new java.util.concurrent.atomic.AtomicLong();
    private volatile Workers workers;
    private final Map<SignatureScheme, WebhookEndpoint<?>> started = new ConcurrentHashMap<>();

    private JdbcInbox(Builder b) {
        this.dataSource = b.dataSource;
        this.table = b.table;
        this.maxAttempts = b.maxAttempts;
        this.firstRetry = b.firstRetry;
        this.maxRetry = b.maxRetry;
        this.lease = b.lease;
        this.pollInterval = b.pollInterval;
        this.workerCount = b.workers;
        this.storeTimeoutSeconds = (int) Math.max(1, b.storeTimeout.toSeconds());
        this.clock = b.clock;
        this.listeners = List.copyOf(b.listeners);
        this.dialect = Dialect.of(dataSource, b.allowVolatileDatabase);
    }

    /** Starts an inbox on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** Creates the table and its index when they do not exist yet, from the SQL shipped for this database. */
    public void initializeSchema() {
        String resource = "/db/hookguard/" + dialect.folder + "/V1__inbox.sql";
        String sql;
        try (InputStream in = JdbcInbox.class.getResourceAsStream(resource)) {
            sql = new String(Objects.requireNonNull(in, resource).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        sql = sql.replaceAll("(?m)^--.*$", "").replace("hookguard_inbox", table);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql.split(";")) {
                if (!statement.isBlank()) {
                    s.execute(statement);
                }
            }
        } catch (SQLException e) {
            throw new InboxException("could not create the inbox table", e);
        }
    }

    @Override
    public int store(InboxDelivery delivery) throws SQLException {
        String headers = headerText(delivery.headers());
        long now = clock.millis();
        String sql = "insert into " + table + " (delivery_key, scheme, tenant, body, headers, state, attempts, next_attempt_at, received_at)"
                + " values (?, ?, ?, ?, ?, 'PENDING', 0, ?, ?)";
        if (delivery.keys().size() == 1) {
            // One part (a Malcolm! session, an immediate Mautic event): one autocommit statement, no savepoint, one round trip.
            try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(sql)) {
                c.setAutoCommit(true);
                insert.setQueryTimeout(storeTimeoutSeconds);
                bind(insert, delivery.keys().get(0), delivery, headers, now);
                insert.executeUpdate();
                return 1;
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    return 0;
                }
                throw e;
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement(sql)) {
                insert.setQueryTimeout(storeTimeoutSeconds);
                int stored = 0;
                for (String key : delivery.keys()) {
                    Savepoint before = c.setSavepoint();
                    bind(insert, key, delivery, headers, now);
                    try {
                        insert.executeUpdate();
                        stored++;
                    } catch (SQLException e) {
                        if (!"23505".equals(e.getSQLState())) {
                            throw e;
                        }
                        // Stored before: a duplicate of this part, nothing to add.
                        c.rollback(before);
                    }
                }
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void bind(PreparedStatement insert, String key, InboxDelivery delivery, String headers, long now) throws SQLException {
        insert.setString(1, fit(key));
        insert.setString(2, delivery.scheme().id());
        insert.setString(3, delivery.tenant());
        insert.setBytes(4, delivery.body());
        insert.setString(5, headers);
        insert.setLong(6, now);
        insert.setLong(7, now);
    }

    /**
     * Starts handling the rows of these endpoints' senders (one endpoint per scheme). Calls add up: each adapter may
     * start the endpoint it serves, and the workers, started by the first call, then claim the rows of every scheme
     * given so far, and no other (an instance that serves only Mautic leaves Malcolm! rows to the instances that do).
     *
     * @throws IllegalStateException when another endpoint was already started for one of these schemes
     */
    @Override
    public synchronized void start(WebhookEndpoint<?>... endpoints) {
        Map<SignatureScheme, WebhookEndpoint<?>> byScheme = new EnumMap<>(SignatureScheme.class);
        for (WebhookEndpoint<?> endpoint : endpoints) {
            WebhookEndpoint<?> known = byScheme.containsKey(endpoint.scheme()) ? byScheme.get(endpoint.scheme()) : started.get(endpoint.scheme());
            if (known != null && known != endpoint) {
                throw new IllegalStateException("two endpoints for " + endpoint.scheme().id());
            }
            byScheme.put(endpoint.scheme(), endpoint);
        }
        started.putAll(byScheme);
        if (workers == null && !started.isEmpty()) {
            workers = new Workers(this, started, workerCount, pollInterval);
            workers.start();
        }
    }

    /**
     * Stops claiming, lets what runs finish within {@code deadline}, then gives back the leases of what did not,
     * so another instance takes those rows at once. A later {@link #start} starts afresh.
     */
    @Override
    public synchronized void stop(Duration deadline) {
        if (workers != null) {
            workers.stop(deadline);
            workers = null;
        }
        started.clear();
    }

    // ---- operate ----

    /** The rows in {@code state}, oldest first, at most {@code limit}. */
    public List<InboxEntry> list(State state, int limit) {
        return query("select * from " + table + " where state = ? order by received_at, delivery_key fetch first " + Math.max(1, limit)
                + " rows only", ps -> ps.setString(1, state.name()));
    }

    /** One row by its key. */
    public Optional<InboxEntry> show(String key) {
        return query("select * from " + table + " where delivery_key = ?", ps -> ps.setString(1, fit(key))).stream().findFirst();
    }

    /** Makes a dead (or done) row pending again, due now, with its attempts counted from zero; false when there is no such row. */
    public boolean replay(String key) {
        return update("update " + table + " set state = 'PENDING', attempts = 0, next_attempt_at = ?, lease_owner = null, lease_until = null,"
                + " done_at = null where delivery_key = ? and state in ('DEAD', 'DONE')", ps -> {
                    ps.setLong(1, clock.millis());
                    ps.setString(2, fit(key));
                }) == 1;
    }

    /** Replays every dead row; how many. */
    public int replayDead() {
        return update("update " + table + " set state = 'PENDING', attempts = 0, next_attempt_at = ?, lease_owner = null, lease_until = null"
                + " where state = 'DEAD'", ps -> ps.setLong(1, clock.millis()));
    }

    /** Deletes rows done longer than {@code age} ago; how many. Their keys are then forgotten: a replay of them is handled again. */
    public int purgeDone(Duration age) {
        return update("delete from " + table + " where state = 'DONE' and done_at < ?", ps -> ps.setLong(1, clock.millis() - age.toMillis()));
    }

    /** How many rows are in each state, and how long the oldest pending one has waited. */
    public InboxCounts counts() {
        Map<State, Long> counts = new EnumMap<>(State.class);
        for (State state : State.values()) {
            counts.put(state, 0L);
        }
        long oldest = -1;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, count(*), min(received_at) from " + table + " group by state")) {
            while (rs.next()) {
                State state = State.valueOf(rs.getString(1));
                counts.put(state, rs.getLong(2));
                if (state == State.PENDING) {
                    oldest = rs.getLong(3);
                }
            }
        } catch (SQLException e) {
            throw new InboxException("could not count the inbox", e);
        }
        return new InboxCounts(counts.get(State.PENDING), counts.get(State.RUNNING), counts.get(State.DONE), counts.get(State.DEAD),
                oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - oldest)));
    }

    // ---- for the workers ----

    /** Claims up to {@code limit} due rows (pending and due, or running with an expired lease) under a new lease. */
    List<InboxEntry> claim(int limit, Set<SignatureScheme> schemes) throws SQLException {
        if (schemes.isEmpty()) {
            return List.of();
        }
        long now = clock.millis();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String schemeList = String.join(", ", schemes.stream().map(s -> "'" + s.id() + "'").toList());
                // Two selects rather than one with an OR: each can walk the (state, next_attempt_at) index, so a claim
                // costs the same with a million done rows in the table as with none.
                List<String> keys = selectKeys(c, "state = 'PENDING' and next_attempt_at <= ? and scheme in (" + schemeList
                        + ") order by next_attempt_at", now, limit);
                if (keys.size() < limit) {
                    keys.addAll(selectKeys(c, "state = 'RUNNING' and lease_until < ? and scheme in (" + schemeList + ")", now, limit - keys.size()));
                }
                List<InboxEntry> claimed = new ArrayList<>();
                try (PreparedStatement lease = c.prepareStatement("update " + table + " set state = 'RUNNING', lease_owner = ?, lease_until = ?,"
                        + " attempts = attempts + 1 where delivery_key = ?")) {
                    for (String key : keys) {
                        lease.setString(1, owner + "/" + claims.incrementAndGet());
                        lease.setLong(2, now + this.lease.toMillis());
                        lease.setString(3, key);
                        lease.executeUpdate();
                    }
                }
                for (String key : keys) {
                    try (PreparedStatement read = c.prepareStatement("select * from " + table + " where delivery_key = ?")) {
                        read.setString(1, key);
                        try (ResultSet rs = read.executeQuery()) {
                            if (rs.next()) {
                                claimed.add(InboxEntry.read(rs));
                            }
                        }
                    }
                }
                c.commit();
                return claimed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private List<String> selectKeys(Connection c, String where, long now, int limit) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("select delivery_key from " + table + " where " + where
                + " fetch first " + limit + " rows only for update skip locked")) {
            select.setLong(1, now);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
        }
        return keys;
    }

    /** The transaction a worker handles a row in; bound to the handler's thread for {@link #currentTransaction()}. */
    static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    /**
     * Inside a handler that an inbox worker runs: the connection of the transaction in which the delivery is then
     * marked done. Write your rows through it (and do not commit, close or change its auto-commit) and they commit
     * together with "done", or, when the handler throws or its lease was lost, not at all: effects exactly once
     * where they live in the inbox's database. Empty outside a worker (direct mode), where handling is what the
     * endpoint does in the request.
     */
    public static Optional<Connection> currentTransaction() {
        return Optional.ofNullable(CURRENT.get());
    }

    Connection openTransaction() throws SQLException {
        Connection c = dataSource.getConnection();
        c.setAutoCommit(false);
        return c;
    }

    /** Done, in the handler's transaction: only the lease's owner settles a row; false when the lease was lost. */
    boolean markDone(Connection transaction, InboxEntry entry) throws SQLException {
        // The lease stays on a done row: which instance and claim handled it, for operators.
        try (PreparedStatement ps = transaction.prepareStatement("update " + table + " set state = 'DONE', done_at = ?,"
                + " lease_until = null, last_error = null where delivery_key = ? and lease_owner = ? and state = 'RUNNING'")) {
            ps.setLong(1, clock.millis());
            ps.setString(2, entry.key());
            ps.setString(3, lease(entry));
            return ps.executeUpdate() == 1;
        }
    }

    /** Failed: pending again after the backoff, or dead after the last attempt; true when it is now dead. */
    boolean markFailed(InboxEntry entry, String error) {
        boolean dead = entry.attempts() >= maxAttempts;
        String cut = error.length() > 1000 ? error.substring(0, 999) + "…" : error;
        update("update " + table + " set state = ?, next_attempt_at = ?, lease_owner = null, lease_until = null, last_error = ?"
                + " where delivery_key = ? and lease_owner = ? and state = 'RUNNING'", ps -> {
                    ps.setString(1, dead ? "DEAD" : "PENDING");
                    ps.setLong(2, clock.millis() + backoff(entry.attempts()).toMillis());
                    ps.setString(3, cut);
                    ps.setString(4, entry.key());
                    ps.setString(5, lease(entry));
                });
        return dead;
    }

    /** Gives a lease back at shutdown: pending again, due now, the attempt not counted. */
    void release(InboxEntry entry) {
        update("update " + table + " set state = 'PENDING', attempts = attempts - 1, next_attempt_at = ?, lease_owner = null,"
                + " lease_until = null where delivery_key = ? and lease_owner = ? and state = 'RUNNING'", ps -> {
                    ps.setLong(1, clock.millis());
                    ps.setString(2, entry.key());
                    ps.setString(3, lease(entry));
                });
    }

    private static String lease(InboxEntry entry) {
        return entry.leaseOwner().orElseThrow(() -> new IllegalStateException("the row was not claimed"));
    }

    /** The wait before attempt {@code attempts + 1}: doubling from the first retry, capped, with up to half of it as jitter. */
    Duration backoff(int attempts) {
        long base = firstRetry.toMillis() << Math.min(30, Math.max(0, attempts - 1));
        long capped = Math.min(base, maxRetry.toMillis());
        long jitter = (long) (capped * 0.5 * java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(capped - jitter);
    }

    /** Tells every listener; a failing listener is logged by class, never stops a worker. */
    void tell(java.util.function.Consumer<InboxListener> event) {
        for (InboxListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                System.getLogger(JdbcInbox.class.getName()).log(System.Logger.Level.WARNING,
                        () -> "an inbox listener failed: " + e.getClass().getName());
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
            if (value != null && value.length() < 900 && value.indexOf('\n') < 0) {
                text.append(name).append(": ").append(value).append('\n');
            }
        }
        return text.toString();
    }

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

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be updated", e);
        }
    }

    private List<InboxEntry> query(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<InboxEntry> entries = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.add(InboxEntry.read(rs));
                }
            }
            return entries;
        } catch (SQLException e) {
            throw new InboxException("the inbox could not be read", e);
        }
    }

    /** What differs between the databases, and the durability each must be put in. */
    private enum Dialect {
        POSTGRESQL("postgresql"), H2("h2");

        final String folder;

        Dialect(String folder) {
            this.folder = folder;
        }

        static Dialect of(DataSource dataSource, boolean allowVolatile) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
                if (product.contains("postgres")) {
                    return POSTGRESQL;
                }
                if (product.contains("h2")) {
                    String url = String.valueOf(c.getMetaData().getURL()).toLowerCase(Locale.ROOT);
                    if (url.startsWith("jdbc:h2:mem:") && !allowVolatile) {
                        throw new IllegalStateException("the inbox refuses an in-memory H2 database: a crash would lose deliveries already"
                                + " acknowledged (use a file, or allowVolatileDatabase() in tests)");
                    }
                    // H2 keeps commits of the last 500 ms in memory by default: a crash would lose what was answered 2xx.
                    s.execute("SET WRITE_DELAY 0");
                    return H2;
                }
                throw new IllegalStateException("the inbox supports PostgreSQL and H2, not " + c.getMetaData().getDatabaseProductName());
            } catch (SQLException e) {
                throw new InboxException("could not open the inbox's database (H2 needs admin rights to set WRITE_DELAY 0)", e);
            }
        }
    }

    /** Builds a {@link JdbcInbox}. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = "hookguard_inbox";
        private int maxAttempts = 8;
        private Duration firstRetry = Duration.ofSeconds(10);
        private Duration maxRetry = Duration.ofHours(1);
        private Duration lease = Duration.ofMinutes(5);
        private Duration pollInterval = Duration.ofMillis(500);
        private int workers = 2;
        private Duration storeTimeout = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private boolean allowVolatileDatabase;
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

        /** Attempts before a row is dead (default 8). */
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

        /** How long a worker holds a row before another may take it (default 5 min): above your slowest handler. */
        public Builder lease(Duration lease) {
            this.lease = Objects.requireNonNull(lease, "lease");
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

        /** The clock of due times and leases (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
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
         */
        public JdbcInbox build() {
            return new JdbcInbox(this);
        }
    }
}
