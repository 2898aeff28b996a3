package dev.hookguard.inbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A hard deadline on one store, for an inbox with a spool: past it the connection is aborted ({@link Connection#abort}
 * closes its socket), so the blocked statement fails and the delivery goes to the spool. A query timeout is not
 * enough: the driver cancels a statement by asking the server, and a frozen server (a stalled disk, a stopped
 * process) never answers the cancel either, so the request would hang until the sender gives up.
 *
 * <p>An aborted store may still have committed (the answer lost on the way): the spool's drain then finds the key
 * stored and skips it, so the delivery is stored once either way.
 */
final class StoreDeadline implements AutoCloseable {

    static final StoreDeadline NONE = new StoreDeadline();

    private static final ScheduledExecutorService TIMER = timer();
    /** Aborting runs on the caller's side of the socket: closing it needs no thread of its own. */
    private static final Executor INLINE = Runnable::run;

    /** Guarded by this: the store ended (its connection goes back to the pool) or the connection was aborted. */
    private boolean settled;
    private volatile ScheduledFuture<?> abort;

    private StoreDeadline() {
    }

    static StoreDeadline abortAfter(Connection connection, int seconds) {
        StoreDeadline deadline = new StoreDeadline();
        deadline.abort = TIMER.schedule(() -> deadline.abort(connection), seconds, TimeUnit.SECONDS);
        return deadline;
    }

    /**
     * Under the lock that {@link #close} takes: an abort either happens before the store's connection is handed back
     * to the pool, or not at all, so it never breaks a connection another request has taken since.
     */
    private synchronized void abort(Connection connection) {
        if (settled) {
            return;
        }
        settled = true;
        try {
            connection.abort(INLINE);
        } catch (SQLException | RuntimeException e) {
            // a driver without abort: the query timeout still applies
        }
    }

    @Override
    public synchronized void close() {
        settled = true;
        ScheduledFuture<?> pending = abort;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "hookguard-store-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true); // a cancelled deadline leaves nothing queued
        return timer;
    }
}
