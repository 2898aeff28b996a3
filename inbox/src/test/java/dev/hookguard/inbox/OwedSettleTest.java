package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the supervisor owes an abandoned worker's row when no thread can be made to settle it (see
 * {@link AloneStallWithoutThreadTest}): found by an attack review, a stop's own abandon owed it to a rescuer that had
 * already ended, and a rescue that read what was owed just before it was recorded took the row at fault uncounted.
 */
class OwedSettleTest {

    private static void hangIgnoringInterrupts(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                // ignores the timeout's and the stop's interrupts
            }
        }
    }

    /**
     * A handler ignores the stop's interrupt, and with no thread to spare the stop abandons its worker itself. Its
     * row's failure was owed to the rescuer, which had already ended: nobody ran it, and the row stayed RUNNING, to be
     * given its attempt back by a later rescue. The stop now settles what it owes itself.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    @SuppressWarnings("removal")
    void aStopsAbandonWithoutThreadStillSettlesTheRowAtFault(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofSeconds(60)).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            runs.incrementAndGet();
            running.countDown();
            hangIgnoringInterrupts(8_000);
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE, true);
        inbox.start(endpoint);
        assertThat(running.await(15, TimeUnit.SECONDS)).isTrue();
        System.setSecurityManager(noThreads);
        try {
            inbox.stop(Duration.ofSeconds(1));
        } finally {
            System.setSecurityManager(null);
        }
        String state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(12), s -> !s.startsWith("RUNNING"));
        assertThat(state).as("the row whose handler ignored the stop, abandoned by the stop with no thread (refused "
                + noThreads.thrown.get() + ", handler runs " + runs.get() + ")").startsWith("DEAD/1/handler_timeout");
    }

    /**
     * A rescue that read what was owed before the supervisor recorded the row at fault's failure, and selected after
     * the abort unlocked it, took it as a lost batch's row, uncounted: the hang was never counted. What is owed is now
     * read once the orphans are locked. Expected {@code DONE/2}: the hang counted as attempt 1, the next one done.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    @SuppressWarnings("removal")
    void aRescueBetweenOwedClaimsAndItsSelectDoesNotTakeTheRowAtFault(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        CountDownLatch hung = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        AtomicInteger heldRescues = new AtomicInteger();
        DataSource watched = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection") && Thread.currentThread().getName().equals("hookguard-inbox-rescuer")
                            && HandlingConnections.onStack("rescue") && hung.getCount() == 0 && aborted.getCount() > 0) {
                        heldRescues.incrementAndGet();
                        aborted.await(30, TimeUnit.SECONDS); // the rescue has not read what is owed yet
                        Thread.sleep(300); // the server ends the aborted transaction
                    }
                    Object result = HandlingConnections.call(dataSource, method, args);
                    if (!method.getName().equals("getConnection") || !HandlingConnections.onStack("openHandling")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                        if (m.getName().equals("abort") && hung.getCount() == 0) {
                            try {
                                return HandlingConnections.call(real, m, a);
                            } finally {
                                if (database == Database.H2_FILE) {
                                    real.close(); // what abort() does next on H2
                                }
                                aborted.countDown();
                            }
                        }
                        return HandlingConnections.call(real, m, a);
                    });
                });
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(watched).maxAttempts(2).backoff(Duration.ofMillis(50), Duration.ofMillis(400)).workers(1)
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(4)).build();
        inbox.initializeSchema();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            if (runs.incrementAndGet() == 1) {
                hung.countDown();
                hangIgnoringInterrupts(12_000);
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE).install();
        String state;
        try {
            inbox.start(endpoint);
            assertThat(hung.await(15, TimeUnit.SECONDS)).isTrue();
            assertThat(aborted.await(20, TimeUnit.SECONDS)).as("the supervisor aborts the hung worker").isTrue();
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(20), HandlingConnections::settled);
        } finally {
            System.setSecurityManager(null);
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("the hung row, its handler abandoned with no thread (refused " + noThreads.thrown.get() + ", rescues held "
                + heldRescues.get() + ", runs " + runs.get() + ")").startsWith("DONE/2");
    }
}
