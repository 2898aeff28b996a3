package dev.hookguard.idempotency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * An {@link IdempotencyStore} in a SQL database, shared by every instance behind a load balancer. The database
 * decides races: a key is claimed by inserting it under a primary key, so of two processes racing for one key
 * exactly one insert succeeds. Plain JDBC; tested on H2 and PostgreSQL.
 *
 * <pre>{@code
 * JdbcIdempotencyStore store = JdbcIdempotencyStore.builder(dataSource).build();
 * store.createTableIfMissing();   // or create it with your migrations: see CREATE_TABLE
 * }</pre>
 */
public final class JdbcIdempotencyStore implements IdempotencyStore {

    /** The table, for migrations: {@code %s} is the table name. Expiry times are epoch milliseconds. */
    public static final String CREATE_TABLE = "create table if not exists %s ("
            + "idempotency_key varchar(255) not null primary key, "
            + "state varchar(16) not null, "
            + "expires_at bigint not null, "
            + "owner varchar(36))";

    /** Keys longer than the column are stored as {@code sha256:} and the hex digest of the key (71 characters). */
    static final int MAX_KEY_LENGTH = 255;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final String IN_FLIGHT = "in_flight";
    private static final String DONE = "done";
    /** Every this many claims, expired rows are deleted so the table stays bounded. */
    private static final int PURGE_EVERY = 1_000;

    private final DataSource dataSource;
    private final String table;
    private final long doneTtlMillis;
    private final long inFlightTtlMillis;
    private final Clock clock;
    private final AtomicLong claims = new AtomicLong();
    /** Whether the database was checked for writes that a crash would lose (H2's WRITE_DELAY). */
    private volatile boolean durable;
    /** The claims this process holds, with the token written in their row: only the owner settles a claim. */
    private final java.util.concurrent.ConcurrentHashMap<String, String> owned = new java.util.concurrent.ConcurrentHashMap<>();

    private JdbcIdempotencyStore(Builder b) {
        this.dataSource = b.dataSource;
        this.table = b.table;
        this.doneTtlMillis = b.doneTtl.toMillis();
        this.inFlightTtlMillis = b.inFlightTtl.toMillis();
        this.clock = b.clock;
    }

    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * H2 keeps the last 500 ms of commits in memory by default: a {@code kill -9} would forget keys (and the
     * application's own rows in the same file) that were answered 2xx. On an H2 file the store sets {@code WRITE_DELAY 0}
     * once, as the inbox does, and says so; other databases are left as they are.
     */
    private void makeDurable(Connection c) throws SQLException {
        synchronized (this) {
            if (durable) {
                return;
            }
            String product = c.getMetaData().getDatabaseProductName();
            String url = String.valueOf(c.getMetaData().getURL());
            if (product.toLowerCase(java.util.Locale.ROOT).contains("h2") && !url.startsWith("jdbc:h2:mem:")) {
                try (Statement s = c.createStatement()) {
                    s.execute("SET WRITE_DELAY 0");
                } catch (SQLException e) {
                    throw new SQLException("H2 needs admin rights for the idempotency store to set WRITE_DELAY 0, without which a crash"
                            + " loses the last 500 ms of commits", e.getSQLState(), e.getErrorCode(), e);
                }
                System.getLogger(JdbcIdempotencyStore.class.getName()).log(System.Logger.Level.INFO,
                        "the idempotency store set H2's WRITE_DELAY to 0: each commit is written before it is acknowledged");
                if (closedByAnInterrupt(url.toLowerCase(java.util.Locale.ROOT))) {
                    // Warned, not refused as the inbox does: a key lost here lets one redelivery be handled twice.
                    System.getLogger(JdbcIdempotencyStore.class.getName()).log(System.Logger.Level.WARNING,
                            "the idempotency store's H2 file is opened through a file system that an interrupt closes or corrupts (jdbc:h2:file:,"
                            + " a bare path, nio:, async:): one interrupted thread inside H2 closes it for every connection, and H2 then loses commits it"
                            + " had acknowledged, keys included; open the same file as jdbc:h2:retry:<path>");
                }
            }
            durable = true;
        }
    }

    /** Whether H2 reaches this database through a FileChannel of this process, which an interrupt closes (see the inbox's Dialect). */
    private static boolean closedByAnInterrupt(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return false;
        }
        String location = url.substring("jdbc:h2:".length());
        return java.util.stream.Stream.of("retry:", "tcp:", "ssl:", "mem:").noneMatch(location::startsWith);
    }

    /** Creates the table when it does not exist yet. */
    public void createTableIfMissing() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(String.format(CREATE_TABLE, table));
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not create the idempotency table " + table, e);
        }
    }

    @Override
    public Claim claim(String deliveryKey) {
        String key = column(Objects.requireNonNull(deliveryKey, "key"));
        if (claims.incrementAndGet() % PURGE_EVERY == 0) {
            purgeExpired();
        }
        try (Connection c = dataSource.getConnection()) {
            if (!durable) {
                makeDurable(c);
            }
            c.setAutoCommit(true);
            long now = clock.millis();
            for (int attempt = 0; attempt < 3; attempt++) {
                String token = java.util.UUID.randomUUID().toString();
                if (insert(c, key, now, token)) {
                    owned.put(key, token);
                    return Claim.CLAIMED;
                }
                Row row = read(c, key);
                if (row == null) {
                    continue; // deleted in between: try the insert again
                }
                if (row.expiresAt > now) {
                    return DONE.equals(row.state) ? Claim.DONE : Claim.IN_FLIGHT;
                }
                // Expired: take it over, but only if nobody else did since we read it.
                if (takeOver(c, key, row.expiresAt, now, token)) {
                    owned.put(key, token);
                    return Claim.CLAIMED;
                }
            }
            Row row = read(c, key);
            return row != null && DONE.equals(row.state) ? Claim.DONE : Claim.IN_FLIGHT;
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not claim an idempotency key", e);
        }
    }

    @Override
    public void markDone(String deliveryKey) {
        String key = column(deliveryKey);
        String token = owned.remove(key);
        if (token == null) {
            return; // not claimed here: another process owns this claim
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("update " + table + " set state = ?, expires_at = ? where idempotency_key = ? and owner = ?")) {
            s.setString(1, DONE);
            s.setLong(2, clock.millis() + doneTtlMillis);
            s.setString(3, key);
            s.setString(4, token);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not mark an idempotency key done", e);
        }
    }

    @Override
    public void release(String deliveryKey) {
        String key = column(deliveryKey);
        String token = owned.remove(key);
        if (token == null) {
            return;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("delete from " + table + " where idempotency_key = ? and state = ? and owner = ?")) {
            s.setString(1, key);
            s.setString(2, IN_FLIGHT);
            s.setString(3, token);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not release an idempotency key", e);
        }
    }

    /** The key as stored: itself, or its SHA-256 when longer than the column, so no key makes a data error. */
    static String column(String key) {
        if (key.length() <= MAX_KEY_LENGTH) {
            return key;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Deletes expired rows; called every thousand claims, or by a scheduler of yours. */
    public int purgeExpired() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("delete from " + table + " where expires_at <= ?")) {
            s.setLong(1, clock.millis());
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IdempotencyStoreException("could not purge expired idempotency keys", e);
        }
    }

    private boolean insert(Connection c, String key, long now, String token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into " + table + " (idempotency_key, state, expires_at, owner) values (?, ?, ?, ?)")) {
            s.setString(1, key);
            s.setString(2, IN_FLIGHT);
            s.setLong(3, now + inFlightTtlMillis);
            s.setString(4, token);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        // 23505: unique violation in PostgreSQL and H2; the 23 class is "integrity constraint violation" in SQL.
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (state != null && (state.equals("23505") || state.startsWith("23"))) {
                return true;
            }
        }
        return e instanceof java.sql.SQLIntegrityConstraintViolationException;
    }

    private record Row(String state, long expiresAt) {
    }

    private Row read(Connection c, String key) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select state, expires_at from " + table + " where idempotency_key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Row(rs.getString(1), rs.getLong(2)) : null;
            }
        }
    }

    private boolean takeOver(Connection c, String key, long expiredAt, long now, String token) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "update " + table + " set state = ?, expires_at = ?, owner = ? where idempotency_key = ? and expires_at = ?")) {
            s.setString(1, IN_FLIGHT);
            s.setLong(2, now + inFlightTtlMillis);
            s.setString(3, token);
            s.setString(4, key);
            s.setLong(5, expiredAt);
            return s.executeUpdate() == 1;
        }
    }

    /** Builds a {@link JdbcIdempotencyStore}. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = "hookguard_idempotency";
        private Duration doneTtl = Duration.ofDays(7);
        private Duration inFlightTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The table name (default {@code hookguard_idempotency}); letters, digits and underscores only. */
        public Builder table(String table) {
            if (table == null || !IDENTIFIER.matcher(table).matches()) {
                throw new IllegalArgumentException("table must be a plain SQL identifier");
            }
            this.table = table;
            return this;
        }

        /** How long a handled key is remembered (default 7 days). */
        public Builder doneTtl(Duration doneTtl) {
            this.doneTtl = positive(doneTtl, "doneTtl");
            return this;
        }

        /**
         * How long a claim may stay unfinished (a crashed instance) before another may take it (default 5
         * minutes). Keep it above your slowest handler, or a slow delivery can be handled twice.
         */
        public Builder inFlightTtl(Duration inFlightTtl) {
            this.inFlightTtl = positive(inFlightTtl, "inFlightTtl");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JdbcIdempotencyStore build() {
            return new JdbcIdempotencyStore(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }
    }
}
