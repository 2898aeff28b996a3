package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The supervisor abandons a handler that ignores its timeout, and the thread that aborts its
 * transaction cannot be created, once ({@code OutOfMemoryError: unable to create native thread}, a process at its
 * thread limit: what many stuck handlers lead to). The supervisor survived the Error (LoopSurvivalTest), but the worker
 * was already marked abandoned: it was never abandoned again nor replaced, its transaction never aborted, and with one
 * worker the instance handled nothing again. The supervisor now aborts it itself, and replaces it.
 */
class AbandonWithoutThreadTest {

    private static String rows(DataSource dataSource) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select part_key, state, attempts, error_class from hookguard_inbox order by id")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getString(2)).append('/').append(rs.getInt(3)).append('/')
                        .append(rs.getString(4)).append(' ');
            }
        }
        return out.toString();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    @SuppressWarnings("removal")
    void aWorkerWhoseAbandonFailsOnceIsStillReplaced(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(3).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofMillis(300)).build();
        inbox.initializeSchema();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, form -> {
            if (form.idempotencyKey().endsWith(":20001")) {
                while (never.getCount() > 0) { // deaf to its interrupt
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // keeps waiting
                    }
                }
                return;
            }
            handled.incrementAndGet();
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);

        HandlingConnections.NoThreadWhileAbandoning noThread = new HandlingConnections.NoThreadWhileAbandoning(1);
        noThread.install();
        try {
            inbox.start(endpoint);
            AbandonedHandlerTest.await(Duration.ofSeconds(10), () -> noThread.thrown.get() > 0, "the supervisor tried to abandon the handler");
            assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202);

            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until && handled.get() == 0) {
                Thread.sleep(50);
            }
            assertThat(handled.get()).as("the next delivery handled by a replacement worker; live workers " + inbox.liveWorkers()
                    + ", rows " + rows(dataSource)).isEqualTo(1);
        } finally {
            System.setSecurityManager(null);
            never.countDown();
            inbox.stop(Duration.ofSeconds(1));
        }
    }

    /**
     * No thread at all while abandoning: the supervisor aborts the worker itself, and its cancel request cannot have a
     * thread either. The abort used to stop at that Error, leaving the batch's rows locked, and the supervisor then
     * waited on those very locks to settle them; the rest of the batch was never handled.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    @SuppressWarnings("removal")
    void theRestOfAnAbandonedBatchIsHandledWhenNoThreadCanBeCreatedForTheAbort(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(3).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofMillis(300)).build();
        inbox.initializeSchema();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, form -> {
            if (calls.incrementAndGet() == 1) {
                while (never.getCount() > 0) { // the batch's first handler is deaf to its interrupt
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // keeps waiting
                    }
                }
            }
        }).inbox(inbox).build();
        // Two rows in one delivery, claimed in one batch: the first handler sticks, the other is the rest of its batch.
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 2))).status()).isEqualTo(202);

        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE);
        noThreads.install();
        try {
            inbox.start(endpoint);
            AbandonedHandlerTest.await(Duration.ofSeconds(10), () -> noThreads.thrown.get() > 0, "the supervisor tried to abandon the handler");
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && !rows(dataSource).contains(":20002=DONE/1/")) {
                Thread.sleep(50);
            }
            assertThat(rows(dataSource)).as("the rest of the abandoned batch handled, uncounted; threads refused " + noThreads.thrown.get()
                    + ", live workers " + inbox.liveWorkers()).contains(":20002=DONE/1/");
        } finally {
            System.setSecurityManager(null);
            never.countDown();
            inbox.stop(Duration.ofSeconds(1));
        }
    }

    /**
     * No thread at all while abandoning a handler stuck in a statement the server runs (PostgreSQL): the supervisor
     * used to skip the server's cancel, which needs a thread too, then settle the rows itself and wait on the locks the
     * statement still held, enforcing no timeout meanwhile. It now sends the cancel itself and leaves the rows to the
     * rescuer.
     */
    @Test
    @SuppressWarnings("removal")
    void aHandlerStuckInAServerStatementDoesNotBlockTheSupervisorWhenNoThreadCanBeCreated() throws Exception {
        DataSource dataSource = Database.POSTGRESQL.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(3).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofMillis(300)).build();
        inbox.initializeSchema();
        AtomicInteger calls = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, form -> {
            if (calls.incrementAndGet() == 1) {
                try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                    s.execute("select pg_sleep(60)"); // the server runs it: the interrupt never reaches it
                }
            }
        }).inbox(inbox).build();
        // Two rows in one delivery, one batch: the first handler is stuck in a server statement, the other is the rest.
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 2))).status()).isEqualTo(202);

        // As in any application with a pool: a connection that ran a statement with a query timeout (the inbox's own
        // updates set 30 s) keeps the driver's shared cancel timer, and its thread, alive. The settle's own update then
        // needs no new thread, and runs.
        Connection keepsTheTimer = dataSource.getConnection();
        try (Statement s = keepsTheTimer.createStatement()) {
            s.setQueryTimeout(600);
            s.execute("select 1");
        }
        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE);
        noThreads.install();
        try {
            inbox.start(endpoint);
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && !rows(dataSource).contains(":20002=DONE/1/")) {
                Thread.sleep(100);
            }
            assertThat(rows(dataSource)).as("the rest of the abandoned batch handled within 15 s (the statement runs 60 s); threads refused "
                    + noThreads.thrown.get() + ", live workers " + inbox.liveWorkers() + ", supervisor " + supervisorState())
                    .contains(":20002=DONE/1/");
        } finally {
            System.setSecurityManager(null);
            inbox.stop(Duration.ofSeconds(1));
            keepsTheTimer.close();
        }
    }

    private static String supervisorState() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("hookguard-inbox-supervisor")) {
                StackTraceElement[] trace = t.getStackTrace();
                StringBuilder at = new StringBuilder(t.getState().toString());
                for (StackTraceElement e : trace) {
                    if (e.getClassName().startsWith("dev.hookguard")) {
                        at.append(" at ").append(e.getMethodName());
                    }
                }
                return at.toString();
            }
        }
        return "none";
    }
}
