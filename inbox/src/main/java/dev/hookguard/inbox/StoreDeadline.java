package dev.hookguard.inbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>So one thread, the watch ({@code hookguard-store-watch}), looks at the stores in flight every
 * {@link #TICK_NANOS 100 ms}; a store only adds itself to a set and removes itself, with no wake-up. A deadline is
 * met to within a tick. With nothing to watch for a second the watch parks until the next store, and after a quiet
 * minute it ends (the next store starts it again), so an application that stops storing holds no thread. Each abort
 * runs on a thread of its own ({@code hookguard-store-abort}, made when needed, ended after 10 idle seconds), so one
 * that blocks (closing a TLS socket waits for a write the frozen server never takes) never keeps the watch from the
 * other stores.
 *
 * <p>An aborted store may still have committed (the answer lost on the way): the spool's drain, or the sender's
 * retry, then finds the key stored and counts it a duplicate, so the delivery is stored once either way.
 */
final class StoreDeadline implements AutoCloseable {

    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Ticks with nothing to watch before the watch parks. */
    private static final int IDLE_TICKS = 10;
    /** How long the watch stays parked for want of stores before it ends (tests shorten it). */
    static volatile long exitAfterNanos = TimeUnit.MINUTES.toNanos(1);
    /** Closing a socket needs no thread of its own: the abort thread runs the driver's work itself. */
    private static final Executor INLINE = Runnable::run;

    private static final Set<StoreDeadline> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    private static final Object START = new Object();
    private static volatile Thread watch;
    private static volatile Executor aborts;
    /** Set by the watch before it parks for want of stores; a store that finds it set wakes the watch. */
    private static volatile boolean idle;
    /** Set by a store, cleared by the watch: a store began since the watch last looked (it may have ended too). */
    private static volatile boolean used;

    private final Connection connection;
    private final long dueNanos;
    private final Runnable whenAbortFails;
    /** Guarded by this: the store ended (its connection goes back to the pool) or the connection was aborted. */
    private boolean settled;
    private volatile boolean aborted;

    private StoreDeadline(Connection connection, long dueNanos, Runnable whenAbortFails) {
        this.connection = connection;
        this.dueNanos = dueNanos;
        this.whenAbortFails = whenAbortFails;
    }

    /**
     * Watches a store on {@code connection}, which it closes: aborted unless closed within {@code timeoutNanos}.
     * {@code whenAbortFails} runs when the driver or pool cannot abort a connection, so its owner can fall back to a
     * query timeout.
     */
    static StoreDeadline abortAfter(Connection connection, long timeoutNanos, Runnable whenAbortFails) {
        StoreDeadline deadline = new StoreDeadline(connection, System.nanoTime() + timeoutNanos, whenAbortFails);
        try {
            IN_FLIGHT.add(deadline);
            if (!used) {
                used = true;
            }
            Thread current = watch; // read after the add: a watch that ends sees the store, or this store sees it gone
            if (current == null || !current.isAlive()) {
                current = startWatch();
            }
            if (idle) {
                LockSupport.unpark(current);
            }
            return deadline;
        } catch (RuntimeException | Error e) { // no thread for the watch: neither the deadline nor the connection may stay
            synchronized (deadline) {
                deadline.settled = true;
            }
            IN_FLIGHT.remove(deadline);
            closeAfter(connection, e);
            throw e;
        }
    }

    /** A store on {@code connection} with no deadline of its own (H2's is its query timeout), which it closes. */
    static StoreDeadline none(Connection connection) {
        StoreDeadline none = new StoreDeadline(connection, 0, null);
        none.settled = true;
        return none;
    }

    /** Whether the watch is parked for want of stores (tests). */
    static boolean idle() {
        return idle;
    }

    Connection connection() {
        return connection;
    }

    /** Whether this store's connection was aborted: its failure is the store timeout's. */
    boolean aborted() {
        return aborted;
    }

    /**
     * {@code failure} as the caller should see it: when the deadline aborted the connection and the failure is the
     * broken connection's (SQLState class 08, or none), a timeout (57014, as a cancelled statement's) that names the
     * store timeout, with the driver's error as its cause. A failure the server sent (a deadlock, bad data) is kept
     * as it is, whenever it came.
     */
    SQLException explain(SQLException failure) {
        String state = failure.getSQLState();
        if (!aborted || state != null && !state.startsWith("08")) {
            return failure;
        }
        return new SQLTimeoutException("the store did not commit within the store timeout: its connection was aborted", "57014", failure);
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
        aborted = true;
        try {
            connection.abort(INLINE);
        } catch (SQLException | RuntimeException | Error e) { // AbstractMethodError: a pool older than JDBC 4.1
            aborted = false; // the store runs on: whatever it meets is its own
            whenAbortFails.run();
        }
    }

    /**
     * Ends the watch, then closes the connection. When the connection was aborted its close may fail (the pool resets
     * a connection it does not know is dead); that failure is the abort's, not the store's, so it is not thrown: a
     * store whose last statement returned before the abort committed, and keeps its result.
     */
    @Override
    public void close() throws SQLException {
        synchronized (this) {
            settled = true;
        }
        IN_FLIGHT.remove(this);
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            if (!aborted) {
                throw e;
            }
        }
    }

    private static void closeAfter(Connection connection, Throwable failure) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static void lookAtStores() {
        int quietTicks = 0;
        while (true) {
            try {
                Thread.interrupted(); // an interrupt would make every park below return at once
                LockSupport.parkNanos(StoreDeadline.class, TICK_NANOS);
                long now = System.nanoTime();
                for (StoreDeadline deadline : IN_FLIGHT) {
                    if (now - deadline.dueNanos >= 0 && IN_FLIGHT.remove(deadline)) {
                        abortAside(deadline);
                    }
                }
                boolean quiet = IN_FLIGHT.isEmpty() && !used;
                used = false;
                quietTicks = quiet ? quietTicks + 1 : 0;
                if (quietTicks >= IDLE_TICKS) {
                    idle = true;
                    long parkedAt = System.nanoTime();
                    if (IN_FLIGHT.isEmpty()) { // a store added before idle was set does not wake the watch: look once more
                        LockSupport.parkNanos(StoreDeadline.class, exitAfterNanos);
                    }
                    idle = false;
                    quietTicks = 0;
                    if (System.nanoTime() - parkedAt >= exitAfterNanos && exitIfNothingToWatch()) {
                        return;
                    }
                }
            } catch (Throwable t) { // NOSONAR: the watch must outlive anything one look throws (memory runs out with the stores)
                idle = false;
                quietTicks = 0;
            }
        }
    }

    /**
     * The watch ends after a quiet minute, so that an application that stops using the inbox (a web application
     * undeployed from its container) holds no thread, and with it no class loader; the next store starts it again.
     * Under the lock that starts it: a store that found no watch waits here, then starts one; and the watch gives up
     * its place before it looks at the stores, so a store added meanwhile is seen, and the watch stays.
     */
    private static boolean exitIfNothingToWatch() {
        synchronized (START) {
            Thread self = watch;
            watch = null;
            if (IN_FLIGHT.isEmpty()) {
                return true;
            }
            watch = self;
            return false;
        }
    }

    private static void abortAside(StoreDeadline deadline) {
        try {
            aborts.execute(deadline::abort);
        } catch (RuntimeException | Error e) { // no thread to be had: abort here rather than not at all
            deadline.abort();
        }
    }

    /** Starts the watch, or starts it again if it died; the threads inherit nothing of the request that starts them. */
    private static Thread startWatch() {
        synchronized (START) {
            Thread current = watch;
            if (current != null && current.isAlive()) {
                return current;
            }
            if (aborts == null) {
                AtomicInteger count = new AtomicInteger();
                ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                        r -> daemon(r, "hookguard-store-abort-" + count.incrementAndGet()));
                aborts = pool;
            }
            Thread started = daemon(StoreDeadline::lookAtStores, "hookguard-store-watch");
            started.start();
            watch = started;
            return started;
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(null, task, name, 0, false);
        thread.setDaemon(true);
        thread.setContextClassLoader(null);
        return thread;
    }
}
