package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row running alone whose handler succeeded, then whose savepoint release answers in 7 s and whose commit in 5 s:
 * each step within the 10 s the README allows, as a batch's row is (the settle watch and the commit watch each keep
 * their own time). Found by an attack review: the watch of a row running alone started its commit's time when the
 * handler ended, before the release, so the release's 7 s were taken from the commit's 10 s; the supervisor aborted a
 * commit that would have answered, and charged the row (handler_timeout): with {@code maxAttempts(1)} dead, although
 * its handler succeeded. The commit's time now starts when the settle step ends.
 */
class AloneSettleThenCommitTest {

    private static DataSource slowReleaseThenSlowCommit(DataSource delegate, String runningIn) {
        AtomicBoolean released = new AtomicBoolean();
        AtomicBoolean committed = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = HandlingConnections.call(delegate, method, args);
            if (!method.getName().equals("getConnection") || !HandlingConnections.onStack("openHandling")) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (HandlingConnections.onStack(runningIn)) {
                    if (m.getName().equals("releaseSavepoint") && released.compareAndSet(false, true)) {
                        Thread.sleep(7_000); // under the 10 s the settling watch allows
                    } else if (m.getName().equals("commit") && !HandlingConnections.onStack("claimAlone") && committed.compareAndSet(false, true)) {
                        Thread.sleep(5_000); // under the 10 s the commit of a row running alone is allowed
                    }
                }
                return HandlingConnections.call(real, m, a);
            });
        });
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowRunningAloneWhoseReleaseAndCommitEachAnswerWithinTheFloorIsDone(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1); // L: PENDING, worker_lost, attempts 0, due now
        assertThat(handledOnce(dataSource, "runAlone")).as("L ran alone; its handler succeeded, its release took 7 s and its commit 5 s")
                .startsWith("DONE");
    }

    /** The control: the same stalls in a batch (a row that never lost its worker) leave it done. */
    @ParameterizedTest
    @EnumSource(Database.class)
    void theSameStallsInABatchLeaveTheRowDone(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox storer = JdbcInbox.builder(dataSource).maxAttempts(1).build();
        storer.initializeSchema();
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(storer).build();
        assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        assertThat(handledOnce(dataSource, "claimAndHandle")).as("in a batch").startsWith("DONE");
    }

    /** Runs the one row with {@code maxAttempts(1)} and a 1 s handler timeout, its settle and commit slowed; its state. */
    private static String handledOnce(DataSource dataSource, String runningIn) throws Exception {
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(slowReleaseThenSlowCommit(dataSource, runningIn)).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            runs.incrementAndGet();
            JdbcInbox.currentTransaction().orElseThrow(); // its writes go with "done": a savepoint is taken
        }).inbox(inbox).build();
        String state;
        try {
            inbox.start(endpoint);
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(40), HandlingConnections::settled);
        } finally {
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(runs.get()).as("handler runs; row " + state).isEqualTo(1);
        return state;
    }
}
