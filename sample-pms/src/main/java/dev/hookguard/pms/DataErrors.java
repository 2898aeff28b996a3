package dev.hookguard.pms;

import java.sql.SQLException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;

/**
 * Tells a data error (this event can never be stored as it is: SQLState class 22, an integrity violation that is
 * not a duplicate) from the database being unavailable, and describes an exception without its message: JDBC
 * drivers quote the offending values in their messages, and payload values must not reach the log.
 */
final class DataErrors {

    private DataErrors() {
    }

    static boolean isDataError(Throwable e) {
        if (e instanceof DuplicateKeyException) {
            return false;
        }
        if (e instanceof DataIntegrityViolationException) {
            return true;
        }
        String state = sqlState(e);
        return state != null && state.startsWith("22");
    }

    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** The exception's class, its root cause's class and the SQLState: never a message. */
    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String state = sqlState(e);
        return e.getClass().getName() + (root != e ? " caused by " + root.getClass().getName() : "")
                + (state == null ? "" : " (SQLState " + state + ")");
    }
}
