package dev.hookguard.inbox;

import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.inbox.JdbcInbox.Claimed;
import dev.hookguard.inbox.JdbcInbox.Failure;
import dev.hookguard.inbox.JdbcInbox.HandlerTransaction;
import dev.hookguard.inbox.JdbcInbox.Settlement;
import dev.hookguard.signature.SignatureScheme;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The inbox's threads. Workers claim a batch (attempts counted and committed), lock it in one handling transaction,
 * run each row's handler, and settle the batch in that transaction with one commit. The supervisor enforces the
 * handler timeout and replaces a worker whose thread ended or that it abandoned. The rescuer, once a second, makes
 * due again the rows that lost their worker.
 */
final class Workers {

    private static final System.Logger LOG = System.getLogger(JdbcInbox.class.getName());
    /** Shared by the workers: a database away is one story, not one line per worker per poll. */
    private final RepeatedFailureLog workerFailures = new RepeatedFailureLog(LOG, "the inbox's workers");
    private final RepeatedFailureLog rescuerFailures = new RepeatedFailureLog(LOG, "the inbox rescuer");

    private static String describe(Throwable t) {
        SQLException sql = t instanceof SQLException s ? s : t instanceof InboxException && t.getCause() instanceof SQLException s ? s : null;
        return t.getClass().getName() + (sql != null ? " (" + InboxException.cause(sql) + ")" : "");
    }
    /** Rows claimed at once: as many as the last batches suggest fit in {@link #BATCH_TARGET_NANOS}, from 1 to this. */
    static final int MAX_BATCH = 32;
    /** How long a batch's handlers should run together: rows of a batch wait for its one commit. */
    private static final long BATCH_TARGET_NANOS = Duration.ofMillis(100).toNanos();
    /** How long a handler interrupted for its timeout has to return before it is abandoned. */
    static final Duration ABANDON_GRACE = Duration.ofSeconds(2);
    /**
     * The least a handler's rollback or release may take before its worker is given up: a database that stalls for
     * seconds (a checkpoint, a failover) must not fail a row whose handler succeeded, even under a short handler timeout.
     */
    static final Duration SETTLE_FLOOR = Duration.ofSeconds(10);
    /** The bound of each try of an update owed to an abandoned worker's rows when no thread could be made ({@link JdbcInbox#briefly}). */
    static final Duration BRIEF = Duration.ofSeconds(2);
    private static final long RESCUE_EVERY_MILLIS = 1_000;
    /** Orphaned rows made due again per rescue. */
    private static final int RESCUE_LIMIT = 500;

    private final JdbcInbox inbox;
    private final Map<SignatureScheme, StoredHandler> endpoints;
    private final long pollMillis;
    private final long timeoutNanos;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AloneGate gate = new AloneGate();

    private final AtomicInteger names = new AtomicInteger();
    /** What the supervisor, with no thread to spare, leaves to the rescuer's thread to settle: tried each second until done. */
    private final Queue<OwedSettle> owed = new ConcurrentLinkedQueue<>();
    private final Thread supervisor;
    private final Thread rescuer;
    private volatile boolean running = true;

    Workers(JdbcInbox inbox, Map<SignatureScheme, StoredHandler> endpoints, int count, Duration poll, Duration handlerTimeout) {
        this.inbox = inbox;
        this.endpoints = endpoints; // live: a later JdbcInbox.start adds to it
        this.pollMillis = Math.max(1, poll.toMillis());
        this.timeoutNanos = handlerTimeout.toNanos();
        for (int i = 0; i < count; i++) {
            workers.add(new Worker());
        }
        supervisor = daemon(this::supervise, "hookguard-inbox-supervisor");
        rescuer = daemon(this::rescueLoop, "hookguard-inbox-rescuer");
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    void start() {
        workers.forEach(w -> w.thread.start());
        supervisor.start();
        rescuer.start();
    }

    int alive() {
        int alive = 0;
        for (Worker worker : workers) {
            if (worker.thread.isAlive() && !worker.abandoned) {
                alive++;
            }
        }
        return alive;
    }

    void stop(Duration deadline) {
        running = false;
        // Not an interrupt for the supervisor nor the rescuer: the rescuer may be inside a JDBC call (its rescue, or what
        // an abandon owes), and H2 closes its file on one. Woken, they end.
        LockSupport.unpark(supervisor);
        LockSupport.unpark(rescuer);
        long until = System.nanoTime() + deadline.toNanos();
        join(until);
        // Only a handler is interrupted: never a worker inside a JDBC call (H2 closes its file on an interrupt).
        workers.forEach(Worker::interruptHandler);
        // An interrupted handler ends quickly, and its worker gives back what it did not finish, uncounted.
        join(System.nanoTime() + Duration.ofSeconds(1).toNanos());
        for (Worker worker : workers) {
            if (worker.thread.isAlive() && !worker.abandoned) {
                try {
                    Claimed current = worker.current;
                    abandon(worker, current, new Failure(Failure.HANDLER_TIMEOUT, "ignored the stop's interrupt"));
                    LOG.log(Level.WARNING, () -> current == null
                            ? "an inbox worker did not end within the stop's deadline; its transaction is aborted and its batch given back"
                            : "an inbox handler ignored the stop; its transaction is aborted, its row fails and the rest of its batch is given back");
                } catch (Throwable t) {
                    // One worker's abandon failing (memory short) must not keep the stop from the others, nor from ending.
                }
            }
        }
        // What those abandons owe, with no thread to spare, is tried here: the rescuer, which tries it otherwise, has
        // ended. Never with the caller's interrupt set (H2 closes its file on one); it is kept for after.
        boolean interrupted = Thread.interrupted();
        try {
            settleOwed();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits until the deadline for the workers to end. The caller's interrupt (a shutdown hook, an executor's
     * {@code shutdownNow}) is kept for after the wait, never acted on: a join that gave up on it abandoned every
     * worker at once, and charged rows whose handlers were ending as asked.
     */
    private void join(long untilNanos) {
        boolean interrupted = false;
        for (Worker worker : workers) {
            while (worker.thread.isAlive()) {
                long left = untilNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    worker.thread.join(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Enforces handler timeouts and keeps the number of live workers. */
    private void supervise() {
        long tick = Math.max(10, Math.min(200, timeoutNanos / 10_000_000));
        while (running) {
            LockSupport.parkNanos(this, tick * 1_000_000);
            Thread.interrupted(); // none is sent; a stray one must neither spin this loop nor reach a JDBC call
            if (!running) {
                return;
            }
            for (Worker worker : workers) {
                try {
                    watch(worker);
                } catch (Throwable t) {
                    try {
                        LOG.log(Level.ERROR, () -> "the inbox supervisor failed with " + t.getClass().getName() + "; it goes on");
                    } catch (Throwable reportFailed) {
                        // Memory still short, or a logging backend's Error: a supervisor gone would keep no handler
                        // timeout again and replace no worker, so it outlives its own report (the rescuer too).
                    }
                }
            }
        }
    }

    /**
     * An abandoned worker's settle that no thread could be made for: run on the rescuer's thread, before each rescue,
     * each try bounded by {@link #BRIEF}, until one is done (a lock or an away database fails a try). Its rows, by
     * their {@code claims}, are left out of this instance's rescues meanwhile. It matches them by their claim's token,
     * so a repeated one changes nothing.
     */
    private record OwedSettle(Set<String> claims, BriefUpdate update) {
    }

    @FunctionalInterface
    private interface BriefUpdate {
        void run() throws SQLException;
    }

    private void settleOwed() {
        owed.removeIf(Workers::tried);
    }

    private Set<String> owedClaims() {
        Set<String> claims = new HashSet<>();
        owed.forEach(settle -> claims.addAll(settle.claims()));
        return claims;
    }

    private static boolean tried(OwedSettle settle) {
        try {
            settle.update().run();
            return true;
        } catch (Throwable e) { // its rows still locked, or the database away
            return false;
        }
    }

    /** The rescuer, on a timer of its own: a backlog never delays the rows of a dead instance. */
    private void rescueLoop() {
        while (running) {
            long until = System.nanoTime() + RESCUE_EVERY_MILLIS * 1_000_000;
            long left;
            while (running && (left = until - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left);
            }
            if (!running) {
                settleOwed(); // a last try: what is still owed after it is left to a rescuer, which counts a row alone
                return;
            }
            try {
                settleOwed();
                JdbcInbox.Rescued rescued = inbox.rescue(RESCUE_LIMIT, endpoints.keySet(), this::owedClaims);
                rescued.dead().forEach(scheme -> inbox.tell(l -> l.deadLettered(scheme)));
                rescuerFailures.succeeded();
            } catch (Throwable t) {
                try {
                    rescuerFailures.failed(() -> describe(t));
                } catch (Throwable reportFailed) {
                    // as the supervisor's: a rescuer gone would leave orphans RUNNING for good
                }
            }
        }
    }

    private void watch(Worker worker) {
        if (!running) {
            return;
        }
        // Each case acts, then reports: a report that fails (a logging backend's Error) must not keep it from acting.
        if (!worker.thread.isAlive() && !worker.abandoned) {
            replace(worker);
            LOG.log(Level.ERROR, () -> "an inbox worker thread ended; another replaces it");
            return;
        }
        Claimed settling = worker.settling;
        if (settling != null && !worker.abandoned && System.nanoTime() - worker.settlingNanos > Math.max(timeoutNanos, SETTLE_FLOOR.toNanos())) {
            // The handler has returned, but undoing or keeping its writes does not end: a driver left out of step with
            // its server by an Error inside it (each then waits for the other), or a server that stopped answering.
            try {
                abandon(worker, settling, new Failure(Failure.HANDLER_TIMEOUT, "its transaction did not answer after the handler ended"));
            } finally {
                if (worker.abandoned) { // once marked, it is never looked at again: its place must be filled now
                    replace(worker);
                }
            }
            LOG.log(Level.WARNING, () -> "an inbox worker's connection did not answer within the handler timeout (10 s at least) after a handler"
                    + " ended; its thread is abandoned, inbox row " + JdbcInbox.printable(settling.lease().key())
                    + " fails (handler_timeout) and a new worker starts");
            return;
        }
        long committing = worker.committingNanos;
        if (!worker.abandoned && committing != 0 && System.nanoTime() - committing > Math.max(timeoutNanos, SETTLE_FLOOR.toNanos())) {
            // A batch's commit that does not answer: a dead link, a stalled server, or a handler's own writes waiting on
            // another transaction (a deferred constraint). Which row it is, if any, is unknown: its transaction is
            // aborted and its rows left to the rescuer, as a lost worker's are (uncounted, each to run alone next,
            // where a commit that stalls again is charged to its row).
            worker.abandon(() -> { }, () -> { });
            replace(worker);
            LOG.log(Level.WARNING, () -> "an inbox batch's commit did not answer within the handler timeout (10 s at least); its"
                    + " transaction is aborted, its rows are made due again by the rescuer and a new worker starts");
            return;
        }
        Claimed aloneRan = worker.aloneRan;
        // Before its handler, only JDBC runs: the settle floor, within which the rescuer leaves such a row alone
        // (JdbcInbox.ALONE_CLAIM_GRACE). After, its commit carries the handler's writes: the handler timeout too.
        long aloneLimit = aloneRan == null ? SETTLE_FLOOR.toNanos() : Math.max(timeoutNanos, SETTLE_FLOOR.toNanos());
        if (!worker.abandoned && worker.holds.get() == ALONE && worker.current == null && worker.settling == null
                && System.nanoTime() - worker.aloneStepNanos > aloneLimit) {
            // A row running alone whose claim, lock or commit does not answer: the gate it holds keeps every batch
            // of the instance out. Before its handler ran, the stall is not its doing: given back uncounted. After,
            // its commit carries the handler's writes (which may be what it waits on), and nothing else ran beside
            // it: counted, as a handler's stalled undo is, so that a row that always stalls ends dead, not looped.
            try {
                abandon(worker, aloneRan, new Failure(Failure.HANDLER_TIMEOUT, "its commit did not answer after it ran alone"));
            } finally {
                if (worker.abandoned) {
                    replace(worker);
                }
            }
            LOG.log(Level.WARNING, () -> "an inbox worker running a row alone got no answer from its database within the handler timeout"
                    + " (10 s at least); its thread is abandoned, the row given back (counted when its handler had run) and a new"
                    + " worker starts");
            return;
        }
        Claimed current = worker.current;
        if (current == null || worker.abandoned) {
            return;
        }
        if (worker.timedOut != current && System.nanoTime() - worker.startedNanos > timeoutNanos) {
            worker.timeOut(current);
        } else if (worker.timedOut == current && worker.current == current
                && System.nanoTime() - worker.interruptedNanos > ABANDON_GRACE.toNanos()) {
            try {
                abandon(worker, current, new Failure(Failure.HANDLER_TIMEOUT, "ran past the handler timeout and ignored its interrupt"));
            } finally {
                if (worker.abandoned) { // once marked, it is never looked at again: its place must be filled now
                    replace(worker);
                }
            }
            LOG.log(Level.WARNING, () -> "an inbox handler ran past its timeout and ignored the interrupt; its thread is abandoned,"
                    + " inbox row " + JdbcInbox.printable(current.lease().key()) + " fails (handler_timeout) and a new worker starts");
        }
    }

    /**
     * Gives up on a worker stuck in a handler, or in undoing one: its transaction is aborted (its locks with it), the row
     * in hand fails (counted: it is the handler's doing), and the rest of its batch is given back uncounted.
     */
    private void abandon(Worker worker, Claimed current, Failure failure) {
        List<Lease> batch = worker.batch;
        List<Lease> aloneRows = worker.aloneRows; // read now: the worker's thread clears it if it returns meanwhile
        // Known as abandoned before its place is given up: a row that then runs "alone" knows it is not.
        inbox.abandoned(worker.thread);
        worker.leaveGate(); // its thread may never return: a row waiting to run alone must not wait for it
        worker.abandon(() -> {
            try {
                // A row running alone, under whichever of its claims holds it (the lost one first: giveBackUnlessItRan).
                List<Lease> rest = new ArrayList<>(aloneRows);
                for (Lease row : batch) {
                    if (!rest.contains(row)) {
                        rest.add(row);
                    }
                }
                if (current != null) {
                    rest.remove(current.lease());
                    if (inbox.failAbandoned(current.lease(), failure)) {
                        toldFailed(current, failure);
                    }
                }
                inbox.giveBack(rest);
            } catch (Throwable e) { // a database away, or no thread for the driver's timer: the rescuer takes them
                try {
                    LOG.log(Level.WARNING, () -> "could not settle an abandoned worker's rows; the rescuer makes them due again");
                } catch (Throwable reportFailed) {
                    // the rescuer takes them all the same
                }
            }
        }, () -> {
            // With no thread to spare, only the row at fault is counted: left to a rescue, a row running beside a
            // handler that may still run has a batch's claim and would be given its attempt back each time, so a
            // handler that always hangs would loop. A row running alone whose handler never started is given back,
            // uncounted, as with a thread: left to a rescue under its own claim, it would count as its crash. Both
            // are owed to the rescuer's thread (never run here: the supervisor must not wait on a lock), and the rest
            // of the batch is rescued as a lost worker's.
            if (current != null) {
                owed.add(new OwedSettle(Set.of(current.lease().token()), () -> {
                    if (inbox.failAbandoned(current.lease(), failure, BRIEF)) {
                        toldFailed(current, failure);
                    }
                }));
            } else if (!aloneRows.isEmpty()) {
                Set<String> claims = new HashSet<>();
                aloneRows.forEach(row -> claims.add(row.token()));
                owed.add(new OwedSettle(claims, () -> inbox.giveBack(aloneRows, BRIEF)));
            }
        });
    }

    private void replace(Worker worker) {
        Worker replacement = new Worker();
        workers.remove(worker);
        workers.add(replacement);
        replacement.thread.start();
    }

    private void toldFailed(Claimed row, Failure failure) {
        told(row.scheme(), row.lease(), row.lease().attempt() >= inbox.maxAttempts() ? Settlement.DEAD : Settlement.RETRY, failure);
    }

    private void told(SignatureScheme scheme, Lease lease, Settlement settled, Failure failure) {
        switch (settled) {
            case DONE -> inbox.tell(l -> l.handled(scheme));
            case RETRY -> inbox.tell(l -> l.retried(scheme));
            case DEAD -> {
                inbox.tell(l -> l.deadLettered(scheme));
                // One line per dead delivery: its key and the failure's type, never the body or the message.
                LOG.log(Level.WARNING, () -> "inbox row " + JdbcInbox.printable(lease.key()) + " is dead after " + lease.attempt()
                        + " attempts: " + (failure == null ? "" : failure.type()) + "; replay it once fixed");
            }
            case GIVEN_BACK -> { }
        }
    }

    /** One worker thread, with what the supervisor watches. */
    private final class Worker {
        final Thread thread;
        /** Guards {@link #current} against an interrupt meant for one handler reaching the next, or a JDBC call. */
        private final Object handlerLock = new Object();
        volatile Connection connection;
        volatile List<Lease> batch = List.of();
        volatile Claimed current;
        volatile long startedNanos;
        volatile Claimed timedOut;
        /** The row whose handler has returned while its writes are undone or kept (a savepoint), and since when. */
        volatile Claimed settling;
        volatile long settlingNanos;
        /** The handler a stop interrupted: whatever it throws then (often the interrupt wrapped, its flag cleared) is the stop's. */
        volatile Claimed stopped;
        volatile long interruptedNanos;
        volatile boolean abandoned;
        /**
         * While it holds the gate alone: since when it has been outside a handler (its claim, lock, commit), and the
         * row under both its claims, for the supervisor to watch and give back.
         */
        volatile long aloneStepNanos;
        volatile List<Lease> aloneRows = List.of();
        /** The row running alone, once its handler has started: what a stall after it is charged to. */
        volatile Claimed aloneRan;
        /** Since when a batch has been settling and committing, its handlers ended; 0 when it is not. */
        volatile long committingNanos;
        /** Handlers this worker has started, its own thread's only. */
        private long handlersStarted;
        /** What this worker holds of the {@link AloneGate}: nothing, a batch, or the instance to itself. */
        final AtomicInteger holds = new AtomicInteger(NONE);
        private int batchSize = 4;

        Worker() {
            thread = new Thread(this::loop, "hookguard-inbox-" + names.getAndIncrement());
            thread.setDaemon(true);
        }

        /** Interrupts, for a stop, the handler running {@code claimed}, if it still runs; true when it did. */
        boolean interruptHandler(Claimed claimed) {
            synchronized (handlerLock) {
                if (current != claimed || claimed == null) {
                    return false;
                }
                stopped = claimed;
                thread.interrupt();
                return true;
            }
        }

        void interruptHandler() {
            interruptHandler(current);
        }

        /** Marks the handler running {@code claimed} as timed out, then interrupts it: it reads the mark when it ends. */
        void timeOut(Claimed claimed) {
            synchronized (handlerLock) {
                if (current != claimed || claimed == null) {
                    return;
                }
                timedOut = claimed;
                interruptedNanos = System.nanoTime();
                thread.interrupt();
            }
        }

        /**
         * Marks the worker abandoned and aborts its transaction, then settles its rows ({@code then}) on a thread of its
         * own; with no thread to spare, the caller aborts and runs only {@code withoutThread}, which must be brief.
         */
        void abandon(Runnable then, Runnable withoutThread) {
            abandoned = true;
            Connection c = connection;
            try {
                Thread aborter = daemon(() -> {
                    try {
                        abort(c);
                    } finally {
                        then.run(); // on a thread of its own, it may wait for the locks an abort that failed left
                    }
                }, "hookguard-inbox-abort");
                aborter.start();
            } catch (Throwable noThread) {
                // No thread to spare (a process at its thread limit, which stuck handlers lead to): the caller aborts.
                // Marked abandoned already, this worker is never abandoned again, so an abort not done here would hold
                // its batch's locks for good. Its rows are not settled here: should the server's cancel not reach it, a
                // statement the server runs keeps their locks until it ends, and the caller (the supervisor) must not
                // wait on them. Once the server lets them go, the rescuer makes them due again; what only the row
                // at fault needs is owed to the rescuer before the abort, so that no rescue takes it in between.
                try {
                    withoutThread.run();
                } finally {
                    abort(c); // whatever recording what is owed met (memory short), the locks must go
                }
            }
        }

        /** Aborts the worker's transaction, if it has one. Never throws. */
        private static void abort(Connection c) {
            if (c == null) {
                return;
            }
            // An abort only closes the socket: a statement the server runs (a lock wait, a long query) goes on,
            // holding the batch's row locks, until it ends. The server is asked to cancel it first (never throws).
            ServerCancel.cancelRunningStatement(c, ServerCancel.WAIT);
            try {
                c.abort(Runnable::run);
                if (!c.isClosed()) {
                    // H2's abort does nothing: a close from this thread rolls the session back and frees its locks.
                    c.close();
                }
            } catch (Throwable e) {
                try {
                    LOG.log(Level.WARNING, () -> "could not abort an abandoned worker's transaction: " + e.getClass().getName());
                } catch (Throwable reportFailed) {
                    // nothing more can be done here
                }
            }
        }

        private void loop() {
            while (running && !abandoned) {
                // Whatever interrupt was meant for a handler that has returned, it must not reach a JDBC call.
                Thread.interrupted();
                try {
                    if (!claimAndHandle()) {
                        Thread.sleep(pollMillis);
                    }
                } catch (InterruptedException e) {
                    if (!running || abandoned) {
                        return;
                    }
                } catch (Throwable t) {
                    // A worker never dies of what it meets: a database away, an Error in a listener, memory short for a moment.
                    try {
                        workerFailures.failed(() -> describe(t));
                    } catch (Throwable reportFailed) {
                        // as the supervisor's (which would replace this thread, but need not)
                    }
                    pause();
                }
            }
        }

        private void pause() {
            try {
                Thread.sleep(Math.max(pollMillis, 200));
            } catch (InterruptedException e) {
                // the loop checks whether it should stop
            }
        }

        /**
         * Claims a batch and handles it, unless a row of it lost its worker before: that one runs alone in this
         * instance, the rest given back ({@link #runAlone}). False when there was nothing to claim, or a
         * row running alone keeps batches out.
         */
        private boolean claimAndHandle() throws SQLException {
            if (gate.aloneNow()) {
                return false; // a row runs alone: claiming a batch only to give it back would be a wasted commit
            }
            Lease lost = null;
            List<Lease> leases;
            try {
                leases = inbox.claim(batchSize, endpoints.keySet());
                workerFailures.succeeded();
                for (Lease lease : leases) {
                    if (lease.lostItsWorker()) {
                        lost = lease;
                        break;
                    }
                }
                if (lost == null && !leases.isEmpty()) {
                    handle(leases);
                }
            } finally {
                leaveGate();
            }
            if (lost != null) {
                List<Lease> rest = new ArrayList<>(leases);
                rest.remove(lost);
                inbox.giveBack(rest);
                runAlone(lost);
            }
            return !leases.isEmpty();
        }

        /**
         * Runs a row that lost its worker before alone in this instance: once the batches in flight have ended (new
         * ones wait), it gets a claim of its own in the transaction that handles it. While it waits it holds no
         * connection, and its claim time is kept fresh, so no rescuer takes it; if one does anyway (a pool slower than
         * the rescue's grace), it is a batch's row, given back uncounted. When it may not run alone now (another row
         * does, or the workers stop), it is given back uncounted.
         */
        private void runAlone(Lease lost) throws SQLException {
            try {
                aloneRows = List.of(lost);
                boolean alone = enter(() -> {
                    boolean entered = gate.enterAlone(() -> running && !abandoned, () -> keptClaim(lost));
                    aloneRan = null;
                    aloneStepNanos = System.nanoTime(); // before the hold is seen: the watch starts from here
                    return entered;
                }, ALONE);
                if (!alone) {
                    inbox.giveBack(List.of(lost));
                    return;
                }
                // A handler abandoned lately that still runs is beside it: a crash then is no proof against this row.
                // Suspected for twice the handler timeout (4 s at least), not for good: a row that keeps losing its
                // connection beside a handler that never ends must be counted in the end, not looped.
                boolean besideNothing = !inbox.abandonedHandlerMayStillRun(2 * Math.max(timeoutNanos, ABANDON_GRACE.toNanos()));
                Lease own = inbox.ownClaim(lost, besideNothing);
                aloneRows = List.of(lost, own); // in this order: see giveBackUnlessItRan
                long before = handlersStarted;
                try (Connection transaction = inbox.openHandling()) {
                    connection = transaction; // for the supervisor's abort, should its claim or lock not answer
                    if (inbox.claimAlone(transaction, lost, own)) {
                        handle(List.of(own), transaction, false);
                    }
                } catch (Throwable t) {
                    giveBackUnlessItRan(lost, own, before);
                    throw t;
                }
                // It may also come back unhandled, its own claim committed: the workers stopped, or this one was
                // abandoned before its transaction was known.
                giveBackUnlessItRan(lost, own, before);
            } finally {
                connection = null;
                leaveGate();
                aloneRows = List.of();
                aloneRan = null;
            }
        }

        /**
         * A row whose own claim may be committed, but whose handler never ran (a connection lost between, a stop): left
         * so, unlocked under its own claim, the rescuer would count a worker lost against it. Given back uncounted,
         * under whichever claim holds it; a best effort (the database away, the rescuer finds it and counts it).
         */
        private void giveBackUnlessItRan(Lease lost, Lease own, long handlersBefore) {
            if (handlersStarted != handlersBefore) {
                return;
            }
            try {
                // The lost claim first: should the aborted claim's commit still be pending on the server, the first
                // update waits for it and finds the row no longer under that claim; the second, a statement later,
                // sees the row as that commit left it, under its own claim, and gives it back.
                inbox.giveBack(List.of(lost, own));
            } catch (RuntimeException stillAway) {
                // the rescuer finds it
            }
        }

        private boolean keptClaim(Lease lease) {
            try {
                return inbox.keepClaim(lease);
            } catch (SQLException | RuntimeException e) {
                return true; // the database away for a moment: the rescuer cannot take it meanwhile either
            }
        }

        private boolean enter(java.util.function.BooleanSupplier gateEntry, int hold) {
            if (!gateEntry.getAsBoolean()) {
                return false;
            }
            holds.set(hold);
            return true;
        }

        /** Leaves the gate, once: by the worker when its batch ends, or by the supervisor when it abandons the worker. */
        void leaveGate() {
            int held = holds.getAndSet(NONE);
            if (held == BATCH) {
                gate.exitBatch();
            } else if (held == ALONE) {
                gate.exitAlone();
            }
        }

        /**
         * One batch: lock, handle each row, settle all, commit once. It holds its place in the gate only while its
         * handlers run, what a crash may come of: a claim, lock or commit that does not answer (a stalled server, a
         * dead link) never keeps a row that must run alone, and every batch behind it, waiting.
         */
        private void handle(List<Lease> leases) throws SQLException {
            try (Connection transaction = inbox.openHandling()) {
                handle(leases, transaction, true);
            }
        }

        /** {@code inBatch}: enters the gate as a batch once its rows are locked (else it holds it alone already). */
        private void handle(List<Lease> leases, Connection transaction, boolean inBatch) throws SQLException {
            batch = leases;
            long batchStart = System.nanoTime();
            Map<Lease, SignatureScheme> schemes = new LinkedHashMap<>();
            Map<Lease, Failure> failed = new LinkedHashMap<>();
            List<Lease> done = new ArrayList<>();
            List<Lease> givenBack = new ArrayList<>();
            try {
                connection = transaction;
                try {
                    List<Claimed> locked = inbox.lock(transaction, leases);
                    // A row that began to run alone meanwhile keeps this batch out: its rows are given back uncounted.
                    boolean mayRun = !inBatch || enter(gate::enterBatch, BATCH);
                    for (Claimed claimed : locked) {
                        schemes.put(claimed.lease(), claimed.scheme());
                        if (!running || abandoned || !mayRun) {
                            givenBack.add(claimed.lease());
                            continue;
                        }
                        Failure failure = run(transaction, claimed);
                        if (failure == null) {
                            done.add(claimed.lease());
                        } else if (failure == STOPPED) {
                            givenBack.add(claimed.lease());
                        } else {
                            failed.put(claimed.lease(), failure);
                        }
                    }
                    if (inBatch) {
                        leaveGate(); // its handlers have ended: what follows cannot crash the process
                        committingNanos = System.nanoTime();
                    }
                    if (abandoned) {
                        return;
                    }
                    Map<Lease, Settlement> settled = inbox.settle(transaction, done, failed, givenBack);
                    transaction.commit();
                    committingNanos = 0; // what follows (the listeners) is not the database's to answer
                    settled.forEach((lease, settlement) -> told(schemes.get(lease), lease, settlement, failed.get(lease)));
                } catch (SQLException | RuntimeException | Error e) {
                    if (!abandoned) {
                        try {
                            transaction.rollback();
                        } catch (SQLException ignored) {
                            // The connection is gone: the database rolled back, and the rescuer makes the rows due again.
                        }
                    }
                    throw e;
                } finally {
                    committingNanos = 0;
                    connection = null;
                }
            } finally {
                batch = List.of();
                adapt(leases.size(), System.nanoTime() - batchStart);
            }
        }

        /** Handles one row; null when it is done, else why it failed ({@link #STOPPED} when a stop interrupted it). */
        private Failure run(Connection transaction, Claimed claimed) {
            StoredHandler endpoint = endpoints.get(claimed.scheme());
            if (endpoint == null) {
                return new Failure(Failure.NOT_HANDLED, "no endpoint for " + claimed.scheme().id() + " was given to the inbox's workers");
            }
            HandlerTransaction handlerTransaction = new HandlerTransaction(transaction);
            Failure failure;
            startedNanos = System.nanoTime();
            handlersStarted++;
            current = claimed; // before aloneRan: the alone watch looks only at a worker outside its handler
            if (holds.get() == ALONE) {
                aloneRan = claimed;
            }
            JdbcInbox.CURRENT.set(handlerTransaction);
            try {
                boolean handled = endpoint.handle(claimed.body(), claimed.headers(), claimed.tenant(), claimed.partKey());
                failure = handled ? null : new Failure(Failure.NOT_HANDLED, "no handler took it");
            } catch (Throwable t) {
                // Any Throwable is this row's failure: a StackOverflowError or an OutOfMemoryError included.
                failure = timedOut == claimed ? new Failure(Failure.HANDLER_TIMEOUT, "ran past the handler timeout and was interrupted")
                        : !running && (stopped == claimed || t instanceof InterruptedException || Thread.currentThread().isInterrupted()) ? STOPPED
                        : Failure.of(t);
            } finally {
                JdbcInbox.CURRENT.remove();
                aloneStepNanos = System.nanoTime(); // before current is cleared: the alone watch must never see an older step
                synchronized (handlerLock) {
                    current = null;
                    // An interrupt meant for this handler must not reach the next statement (H2 closes its file on one).
                    Thread.interrupted();
                }
            }
            if (abandoned) {
                return failure;
            }
            settlingNanos = System.nanoTime();
            settling = claimed;
            try {
                if (failure != null) {
                    handlerTransaction.rollback();
                } else {
                    // A handler that swallowed an error of its own statement may leave PostgreSQL's transaction aborted:
                    // releasing its savepoint fails then, and the row fails, rolled back to its savepoint, not the batch.
                    handlerTransaction.release();
                }
            } catch (SQLException e) {
                try {
                    handlerTransaction.rollback();
                } catch (SQLException gone) {
                    throw new IllegalStateException("the handling transaction is gone", gone);
                }
                return Failure.of(e);
            } finally {
                // The commit that follows gets its whole time: the settle step had its own watch (settlingNanos).
                aloneStepNanos = System.nanoTime();
                settling = null;
            }
            return failure;
        }

        private void adapt(int rows, long nanos) {
            long perRow = Math.max(1, nanos / Math.max(1, rows));
            batchSize = (int) Math.max(1, Math.min(MAX_BATCH, BATCH_TARGET_NANOS / perRow));
        }
    }

    private static final int NONE = 0;
    private static final int BATCH = 1;
    private static final int ALONE = 2;

    /**
     * Who runs in this instance: batches, any number at once, or one row alone, with nothing beside it. A row whose
     * worker was lost runs alone, so that a crash while it runs is its own, and counted; a crash while batches run is
     * no proof against any of their rows, and counted to none ({@link JdbcInbox#rescue}). A row to run alone closes
     * the gate to new batches and waits until the handlers of those in flight have ended (a batch holds its place only
     * while its handlers run: its claim, lock and commit cannot crash the process, and may not answer for long).
     */
    static final class AloneGate {
        private int batches;
        private boolean alone;

        synchronized boolean enterBatch() {
            if (alone) {
                return false;
            }
            batches++;
            return true;
        }

        /** Whether a row runs alone, or waits to: new batches are kept out. */
        synchronized boolean aloneNow() {
            return alone;
        }

        synchronized void exitBatch() {
            batches--;
            notifyAll();
        }

        /**
         * False at once when another row runs alone, or waits to; else true once no batch runs, unless {@code running}
         * or {@code keep} (called about once a second, outside the gate's lock) answers false first.
         */
        boolean enterAlone(java.util.function.BooleanSupplier running, java.util.function.BooleanSupplier keep) {
            synchronized (this) {
                if (alone) {
                    return false;
                }
                alone = true;
            }
            boolean entered = false;
            try {
                entered = awaitNoBatch(running, keep);
                return entered;
            } finally {
                if (!entered) { // whatever ended the wait, an Error from keep included: the gate must not stay closed
                    synchronized (this) {
                        alone = false;
                    }
                }
            }
        }

        private boolean awaitNoBatch(java.util.function.BooleanSupplier running, java.util.function.BooleanSupplier keep) {
            long kept = System.nanoTime();
            while (true) {
                synchronized (this) {
                    if (batches == 0 && running.getAsBoolean()) {
                        return true;
                    }
                    if (!running.getAsBoolean()) {
                        return false;
                    }
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        // Not kept: the caller's next call is JDBC's, which must not meet an interrupt (H2 closes its
                        // file on one); only a stop interrupts a worker, and running then answers false.
                    }
                }
                if (System.nanoTime() - kept > 1_000_000_000L) {
                    kept = System.nanoTime();
                    if (!keep.getAsBoolean()) {
                        return false;
                    }
                }
            }
        }

        synchronized void exitAlone() {
            alone = false;
        }
    }

    /** A handler interrupted by a stop: its row is given back, its attempt not counted. */
    private static final Failure STOPPED = new Failure("stopped", null);
}
