package dev.hookguard.inbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * What differs between the databases the inbox runs on (db-scheduler's {@code JdbcCustomization}): where the schema
 * lives, the database's clock, how a connection is made durable and how a handling transaction is watched.
 */
enum Dialect {

    // statement_timestamp(), stable within a statement, can bound an index scan; clock_timestamp() is volatile and cannot.
    POSTGRESQL("postgresql", "(extract(epoch from statement_timestamp()) * 1000)::bigint") {
        @Override
        void beginHandling(Connection transaction) throws SQLException {
            // A handler's row lock is its liveness. The server notices a killed process at once (the socket closes),
            // but a machine that vanishes only through TCP keepalives: probed within ~15 s here, not after 2 hours.
            try (Statement s = transaction.createStatement()) {
                s.execute("set local tcp_keepalives_idle = 5; set local tcp_keepalives_interval = 2; set local tcp_keepalives_count = 5");
                // A handler may run its whole timeout without a statement: a server-wide idle limit must not end it.
                s.execute("set local idle_in_transaction_session_timeout = 0");
            }
        }
    },

    H2("h2", "cast(extract(epoch from current_timestamp) * 1000 as bigint)") {
        @Override
        void prepare(Connection connection, String url, boolean allowVolatile) throws SQLException {
            if (url.startsWith("jdbc:h2:mem:") && !allowVolatile) {
                throw new IllegalStateException("the inbox refuses an in-memory H2 database: a crash would lose deliveries already"
                        + " acknowledged (use a file, or allowVolatileDatabase() in tests)");
            }
            if (closedByAnInterrupt(url) && !allowVolatile) {
                throw new IllegalStateException("the inbox refuses an H2 file opened through a file system that an interrupt closes"
                        + " or corrupts (jdbc:h2:file:, a bare path, nio:, async:): one thread interrupted inside H2 (a handler at its"
                        + " timeout, a request a container cancels) closes the file for every connection, and H2 then loses commits it"
                        + " had acknowledged; open the same file as jdbc:h2:retry:<path> (the same options follow), or"
                        + " allowVolatileDatabase() in tests");
            }
            H2Durability.requireImmediateWrites(connection, "the inbox");
        }

        /**
         * Whether H2 reads and writes this database through a channel that an interrupt of a thread inside H2 closes
         * (a {@code FileChannel}: {@code file:}, a bare path, {@code nio:}) or leaves corrupt ({@code async:}: measured,
         * files whose chunks were missing at the next open). {@code retry:} reopens the file and tries again; a server
         * ({@code tcp:}, {@code ssl:}) has its files in another process.
         */
        private static boolean closedByAnInterrupt(String url) {
            if (!url.startsWith("jdbc:h2:")) {
                return false; // a wrapping driver's URL (p6spy...): the file system cannot be read from it
            }
            String location = url.substring("jdbc:h2:".length());
            return Stream.of("retry:", "tcp:", "ssl:", "mem:").noneMatch(location::startsWith);
        }

        /**
         * H2 closes a database with its last connection, and an application on a plain DataSource has none open
         * between two polls: with {@code AUTO_SERVER=TRUE} each close stops the server the CLI (or another process)
         * connects to, so most of their attempts failed. One idle connection held while the workers run keeps it open.
         */
        @Override
        Connection holdOpen(javax.sql.DataSource dataSource) throws SQLException {
            return dataSource.getConnection();
        }
    };

    final String folder;
    private final String nowMillis;

    Dialect(String folder, String nowMillis) {
        this.folder = folder;
        this.nowMillis = nowMillis;
    }

    /** The database's current time in epoch milliseconds, as an SQL expression. */
    String nowMillis() {
        return nowMillis;
    }

    /** Checks the database and makes it durable where it is not by default. */
    void prepare(Connection connection, String url, boolean allowVolatile) throws SQLException {
    }

    /** A connection to keep open while the workers run, where the database needs one to stay open; else {@code null}. */
    Connection holdOpen(javax.sql.DataSource dataSource) throws SQLException {
        return null;
    }

    /** Run first in each handling transaction. */
    void beginHandling(Connection transaction) throws SQLException {
    }

    static Dialect of(DataSource dataSource, boolean allowVolatile) {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
            String url = String.valueOf(c.getMetaData().getURL()).toLowerCase(Locale.ROOT);
            Dialect dialect;
            if (product.contains("postgres")) {
                dialect = POSTGRESQL;
            } else if (product.contains("h2")) {
                dialect = H2;
            } else {
                throw new IllegalStateException("the inbox supports PostgreSQL and H2, not " + c.getMetaData().getDatabaseProductName());
            }
            dialect.prepare(c, url, allowVolatile);
            return dialect;
        } catch (SQLException e) {
            throw new InboxException("could not open the inbox's database: " + InboxException.cause(e), e);
        }
    }
}
