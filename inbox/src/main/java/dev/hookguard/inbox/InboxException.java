package dev.hookguard.inbox;

import java.net.ConnectException;
import java.sql.SQLException;

/** The inbox's database failed; the message says what was being done and why, the cause is the driver's. */
public final class InboxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InboxException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether no connection could be had at all (SQLState class 08), as opposed to a database that answered and refused. */
    boolean unreachable() {
        for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException || cause instanceof java.sql.SQLNonTransientConnectionException
                    || cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** The real cause of a database failure, in words an operator acts on; never a value from a row. */
    static String cause(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused (is the database running, and is the URL's host and port right?)";
            }
        }
        if (state.equals("28P01") || state.equals("28000")) {
            return "authentication failed (check the user and password)";
        }
        if (state.equals("42P01") || state.equals("42S02") || state.equals("42S04")) {
            return "the inbox table does not exist (create it with initializeSchema(), --init, or db/hookguard/<database>/V*__inbox.sql)";
        }
        if (state.equals("90020") || e.getErrorCode() == 90020) {
            return "the H2 file is locked by another process (open it with ;AUTO_SERVER=TRUE in every process that shares it)";
        }
        if (state.startsWith("08")) {
            return "the connection failed (SQLState " + state + ")";
        }
        return e.getClass().getSimpleName() + (state.isEmpty() ? "" : ", SQLState " + state);
    }
}
