package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link AloneLockStallTest}'s stall (the statement locking a row running alone, its own {@code /alone} claim
 * committed), past the supervisor's 10 s, in a process with no thread to spare. Found by an attack review: the
 * supervisor aborted the worker itself and counted only a handler's row, and there was none yet, so nothing gave the
 * row back; 15 s after its claim the rescuer counted it as a crash of its own, and with {@code maxAttempts(1)} it was
 * dead (worker_lost) without its handler ever running. It is now given back, uncounted, as with a thread to spare.
 */
class AloneStallWithoutThreadTest {

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseAloneLockStallsIsNotChargedWhenTheSupervisorHasNoThread(Database database) throws Exception {
        stallsAlone(database, 0);
    }

    /**
     * The same, and another transaction holds the row's lock when it is given back, past the 15 s in which the
     * rescuers leave it to its supervisor. Found by two attack reviews: the give-back, bounded to 2 s, gave up on H2
     * and nothing tried again (on PostgreSQL it landed late, the server still running it after the client gave up);
     * then, tried again for 15 s only, it gave up while the lock was held, and the row was counted as its own crash.
     * What the supervisor cannot settle is now owed to the rescuer's thread, tried each second until done, and the
     * row left out of that rescuer's rescues meanwhile; on PostgreSQL the server ends each try itself.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseGiveBackMeetsALockIsGivenBackOnceTheLockGoes(Database database) throws Exception {
        stallsAlone(database, 28_000);
    }

    /**
     * A row that lost its worker runs alone, the statement locking it stalls past 10 s, no thread to spare, and another
     * transaction holds its lock for {@code lockedMillis} from the stall (0: none): done, its handler run once.
     */
    @SuppressWarnings("removal")
    private static void stallsAlone(Database database, long lockedMillis) throws Exception {
        DataSource dataSource = database.dataSource();
        boolean lockedMeanwhile = lockedMillis > 0;
        AtomicInteger mostWaiting = new AtomicInteger();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1); // L: PENDING, worker_lost, attempts 0, due now
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch unlocked = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                stalled.await();
                try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    try (java.sql.ResultSet rs = s.executeQuery("select delivery_key from hookguard_inbox for update")) {
                        rs.next();
                    }
                    locked.countDown();
                    long until = System.nanoTime() + lockedMillis * 1_000_000;
                    while (System.nanoTime() < until) {
                        if (database == Database.POSTGRESQL) { // the give-back's tries that the server still runs
                            try (java.sql.Connection watch = dataSource.getConnection(); java.sql.Statement w = watch.createStatement();
                                 java.sql.ResultSet rs = w.executeQuery("select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                                         + " and query ilike 'update hookguard_inbox%'")) {
                                rs.next();
                                mostWaiting.accumulateAndGet(rs.getInt(1), Math::max);
                            }
                        }
                        Thread.sleep(250);
                    }
                    c.rollback();
                    unlocked.countDown();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "lock-holder");
        holder.setDaemon(true);
        if (lockedMeanwhile) {
            holder.start();
        }
        DataSource stalling = HandlingConnections.faultOnce(dataSource, m -> m.equals("prepareStatement")
                && HandlingConnections.onStack("runAlone") && HandlingConnections.onStack("lock"), real -> {
            stalled.countDown();
            Thread.sleep(Duration.ofSeconds(45).toMillis()); // a call that an abort does not end
        });
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(stalling).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> runs.incrementAndGet()).inbox(inbox).build();
        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE).install();
        String state;
        try {
            inbox.start(endpoint);
            assertThat(stalled.await(15, TimeUnit.SECONDS)).as("L runs alone, and the statement locking it stalls").isTrue();
            if (lockedMeanwhile) {
                assertThat(locked.await(5, TimeUnit.SECONDS)).as("another transaction holds L's lock").isTrue();
            }
            if (lockedMeanwhile) {
                assertThat(unlocked.await(lockedMillis + 5_000, TimeUnit.MILLISECONDS)).isTrue();
            }
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(40), HandlingConnections::settled);
        } finally {
            System.setSecurityManager(null);
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("L, whose lock stalled before its handler ran, with no thread to spare; handler runs " + runs.get()
                + ", threads refused " + noThreads.thrown.get()).startsWith("DONE");
        assertThat(runs.get()).isEqualTo(1);
        assertThat(mostWaiting.get()).as("tries of the give-back left waiting on the row's lock by the server").isLessThanOrEqualTo(1);
    }

    /**
     * The same, and the inbox stopped while the row is being given back on H2 by the thread that settles what an
     * abandon with no thread to spare owes (the supervisor first, the rescuer since). The stop interrupted the
     * supervisor, and an interrupt inside H2 closes its file (it lost commits once); a stop now wakes its threads,
     * never interrupts them.
     */
    @org.junit.jupiter.api.Test
    @SuppressWarnings("removal")
    void aStopNeverInterruptsTheThreadGivingTheRowBackInsideH2() throws Exception {
        DataSource dataSource = Database.H2_FILE.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1);
        CountDownLatch givingBack = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        DataSource slowGiveBack = (DataSource) java.lang.reflect.Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    Object result = HandlingConnections.call(dataSource, method, args);
                    if (!method.getName().equals("getConnection") || !HandlingConnections.onStack("giveBack")) {
                        return result;
                    }
                    java.sql.Connection real = (java.sql.Connection) result;
                    return java.lang.reflect.Proxy.newProxyInstance(java.sql.Connection.class.getClassLoader(),
                            new Class<?>[] {java.sql.Connection.class}, (p, m, a) -> {
                                if (m.getName().equals("prepareStatement") && givingBack.getCount() > 0) {
                                    givingBack.countDown();
                                    try {
                                        Thread.sleep(1_500); // inside H2, as the stop comes
                                    } catch (InterruptedException e) {
                                        interrupted.set(true);
                                    }
                                }
                                return HandlingConnections.call(real, m, a);
                            });
                });
        DataSource stalling = HandlingConnections.faultOnce(slowGiveBack, m -> m.equals("prepareStatement")
                && HandlingConnections.onStack("runAlone") && HandlingConnections.onStack("lock"), real -> Thread.sleep(30_000));
        JdbcInbox inbox = JdbcInbox.builder(stalling).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(inbox).build();
        new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE).install();
        try {
            inbox.start(endpoint);
            assertThat(givingBack.await(30, TimeUnit.SECONDS)).as("the row is given back with no thread to spare").isTrue();
            inbox.stop(Duration.ofSeconds(1));
            Thread.sleep(2_000);
        } finally {
            System.setSecurityManager(null);
        }
        assertThat(interrupted).as("the thread giving the row back was interrupted inside H2").isFalse();
    }
}
