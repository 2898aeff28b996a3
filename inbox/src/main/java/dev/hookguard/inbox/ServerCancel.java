package dev.hookguard.inbox;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Asks a database server to cancel the statement a connection runs, where its driver can: PostgreSQL's driver sends a
 * cancel request on a connection of its own ({@code PGConnection.cancelQuery()}, keyed by the backend's secret, so it
 * never reaches another session). {@link Connection#abort} alone only closes the client's socket, and the server goes
 * on with the statement (and its locks) until it ends or tries to answer. Reflection keeps the PostgreSQL driver an
 * optional dependency; any other driver, or a pool whose proxy does not unwrap to it, is left to its abort.
 */
final class ServerCancel {

    /** How long an abort waits for a cancel before it goes on: a frozen server never answers one. */
    static final Duration WAIT = Duration.ofSeconds(1);

    private ServerCancel() {
    }

    /**
     * Sends the cancel and waits for it at most {@code wait}; never throws. With no thread to spare (a process at its
     * thread limit), the caller sends it itself, bounded then by the driver's own {@code cancelSignalTimeout} (10 s by
     * default) instead: without it, a statement the server runs keeps its locks until it ends.
     */
    static void cancelRunningStatement(Connection connection, Duration wait) {
        Thread cancel;
        try {
            cancel = new Thread(() -> cancel(connection), "hookguard-pg-cancel");
            cancel.setDaemon(true);
            cancel.start();
        } catch (Throwable noThread) {
            cancel(connection);
            return;
        }
        try {
            cancel.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void cancel(Connection connection) {
        try {
            Connection driver = connection.unwrap(Connection.class);
            Method cancelQuery = cancelQuery(driver.getClass());
            if (cancelQuery != null) {
                cancelQuery.invoke(driver);
            }
        } catch (Throwable e) {
            // closed already, not a driver that can, or no thread for the driver's own: the abort that follows is all there is
        }
    }

    /** PostgreSQL's {@code cancelQuery()}, found through the public interface that declares it, however deep. */
    private static Method cancelQuery(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> api : c.getInterfaces()) {
                Method found = inInterface(api);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static Method inInterface(Class<?> api) {
        if (api.getName().equals("org.postgresql.PGConnection")) {
            try {
                return api.getMethod("cancelQuery");
            } catch (NoSuchMethodException e) {
                return null;
            }
        }
        for (Class<?> parent : api.getInterfaces()) {
            Method found = inInterface(parent);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
