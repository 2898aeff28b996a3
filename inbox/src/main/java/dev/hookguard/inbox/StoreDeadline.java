package dev.hookguard.inbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The hard deadline of one store on PostgreSQL: past it the store's connection is aborted ({@link Connection#abort}
 * closes its socket), so the blocked statement fails at once: the delivery goes to the spool, or is answered 503.
 *
 * <p>Why not the driver's query timeout: it cancels a statement by asking the server, and a frozen server (a stalled
 * disk, a stopped process, a link that drops packets) never answers the cancel either, so the statement, and the
 * request, would hang until the server wakes. And it costs every statement a wake-up of the driver's timer thread
 * (about 20 us of CPU and 25 us of latency per store here, measured), as a scheduled task per store would.
 *
 * <p>So one thread, the watch ({@code hookguard-store-watch}, one per JVM), looks at the stores in flight every
 * {@link #TICK_NANOS 100 ms}; a store only adds itself to a set and removes itself, with no wake-up. A deadline is
 * met to within a tick. With nothing to watch for a second the watch parks until the next store.
 *
 * <p>An aborted store may still have committed (the answer lost on the way): the spool's drain, or the sender's
 * retry, then finds the key stored and counts it a duplicate, so the delivery is stored once either way.
 */
final class StoreDeadline implements AutoCloseable {

    static final StoreDeadline NONE = new StoreDeadline(null, 0);

    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Ticks with nothing to watch before the watch parks. */
    private static final int IDLE_TICKS = 10;
    /** Aborting runs on the watch, under the deadline's lock: closing a socket needs no thread of its own. */
    private static final Executor INLINE = Runnable::run;

    private static final Set<StoreDeadline> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final Thread WATCH = watch();
    /** Set by the watch before it parks for want of stores; a store that finds it set wakes the watch. */
    private static volatile boolean idle;
    /** Set by a store, cleared by the watch: whether a store began since the watch last looked. */
    private static volatile boolean used;

    private final Connection connection;
    private final long dueNanos;
    /** Guarded by this: the store ended (its connection goes back to the pool) or the connection was aborted. */
    private boolean settled;

    private StoreDeadline(Connection connection, long dueNanos) {
        this.connection = connection;
        this.dueNanos = dueNanos;
    }

    /** Watches a store on {@code connection}: aborted unless closed within {@code timeoutNanos}. */
    static StoreDeadline abortAfter(Connection connection, long timeoutNanos) {
        StoreDeadline deadline = new StoreDeadline(connection, System.nanoTime() + timeoutNanos);
        IN_FLIGHT.add(deadline);
        if (!used) {
            used = true;
        }
        if (idle) {
            LockSupport.unpark(WATCH);
        }
        return deadline;
    }

    /**
     * Under the lock that {@link #close} takes: an abort either happens before the store's connection is handed back
     * to the pool, or not at all, so it never breaks a connection another request has taken since.
     */
    private synchronized void abort() {
        if (settled) {
            return;
        }
        settled = true;
        try {
            connection.abort(INLINE);
        } catch (SQLException | RuntimeException e) {
            // a driver without abort: its own timeouts are all that is left
        }
    }

    @Override
    public void close() {
        if (this == NONE) {
            return;
        }
        synchronized (this) {
            settled = true;
        }
        IN_FLIGHT.remove(this);
    }

    private static void lookAtStores() {
        int quietTicks = 0;
        while (true) {
            LockSupport.parkNanos(StoreDeadline.class, TICK_NANOS);
            long now = System.nanoTime();
            for (StoreDeadline deadline : IN_FLIGHT) {
                if (now - deadline.dueNanos >= 0) {
                    IN_FLIGHT.remove(deadline);
                    try {
                        deadline.abort();
                    } catch (Throwable t) { // NOSONAR: the watch must outlive any one abort, whatever it throws
                        // the store's own statement fails or returns: nothing more to do here
                    }
                }
            }
            boolean quiet = IN_FLIGHT.isEmpty() && !used;
            used = false;
            quietTicks = quiet ? quietTicks + 1 : 0;
            if (quietTicks >= IDLE_TICKS) {
                idle = true;
                if (IN_FLIGHT.isEmpty()) { // a store added before idle was set does not wake the watch: look once more
                    LockSupport.park(StoreDeadline.class);
                }
                idle = false;
                quietTicks = 0;
            }
        }
    }

    private static Thread watch() {
        Thread thread = new Thread(StoreDeadline::lookAtStores, "hookguard-store-watch");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
