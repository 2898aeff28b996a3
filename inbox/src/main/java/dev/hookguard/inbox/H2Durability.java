package dev.hookguard.inbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** H2 keeps the last 500 ms of commits in memory by default: a crash would lose what was answered 2xx. */
final class H2Durability {

    private static final System.Logger LOG = System.getLogger(JdbcInbox.class.getName());

    /** H2's error code for a statement only an admin may run. */
    private static final int ADMIN_RIGHTS_REQUIRED = 90040;

    private H2Durability() {
    }

    static void requireImmediateWrites(Connection connection, String user) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET WRITE_DELAY 0");
        } catch (SQLException e) {
            if (e.getErrorCode() != ADMIN_RIGHTS_REQUIRED) {
                throw e;
            }
            throw new SQLException("H2 needs admin rights for " + user + " to set WRITE_DELAY 0, without which a crash loses the last"
                    + " 500 ms of commits", e.getSQLState(), e.getErrorCode(), e);
        }
        LOG.log(System.Logger.Level.INFO, () -> user + " set H2's WRITE_DELAY to 0: each commit is written before it is acknowledged");
    }
}
