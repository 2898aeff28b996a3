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
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch's commit does not answer (a stalled backend, a partition with the driver's default socketTimeout=0). The
 * supervisor watches handlers and the undoing of their writes, not a batch's lock, settle or commit. That worker used
 * to keep its place in the gate through its commit: a row that lost its worker then closed the gate and waited alone,
 * keeping its claim fresh, so every other worker of the instance was kept out for the whole stall (for good if it
 * never ends). A batch now holds its place only while its handlers run.
 */
class StuckCommitHoldsGateTest {

    /** The first call of {@code stalling} on a batch's handling connection stalls for {@code stall} ({@code stalled} opens then). */
    private static DataSource firstBatchCallStalls(DataSource delegate, String stalling, Duration stall, CountDownLatch stalled) {
        return HandlingConnections.faultOnce(delegate, m -> m.equals(stalling) && !HandlingConnections.onStack("claimAlone"), real -> {
            stalled.countDown();
            Thread.sleep(stall.toMillis()); // the server does not answer meanwhile
        });
    }

    private static String rows(DataSource dataSource) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select part_key, state, attempts, error_class, lease_owner from hookguard_inbox order by id")) {
            while (rs.next()) {
                out.append(rs.getString(1)).append('=').append(rs.getString(2)).append('/').append(rs.getInt(3)).append('/')
                        .append(rs.getString(4)).append('/').append(rs.getString(5)).append(' ');
            }
        }
        return out.toString();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aStalledBatchCommitDoesNotKeepEveryOtherWorkerOut(Database database) throws Exception {
        // S's handler ran (its commit stalls); L and R need only a free worker, and two of three are free.
        assertTheOthersRunWhileOneBatchStalls(database, "commit", "20001", "20002", "20003");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aStalledBatchLockDoesNotKeepEveryOtherWorkerOut(Database database) throws Exception {
        // S's handler does not run in its stalled batch (the rescuer may take it 5 s on, as a lost worker's); L and R run.
        assertTheOthersRunWhileOneBatchStalls(database, "prepareStatement", "20001", "20003");
    }

    /**
     * The row running alone: its handler returns, then its commit stalls. It holds the gate alone through its commit
     * (a batch crashing the process then would be charged to it), so every other worker was kept out for the whole
     * stall; the supervisor now gives up on a row running alone whose database does not answer within the handler
     * timeout (10 s at least). Its handler had run, and nothing beside it: the attempt is counted, as for a handler
     * whose undo stalls (a commit that waits on the handler's own writes would otherwise loop for good).
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aStalledCommitOfTheRowRunningAloneKeepsTheOthersOutNoLongerThanTheSettleFloor(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox storer = RescueTest.storedOneThatLostItsWorker(dataSource, 3, 1); // L: PENDING, worker_lost, due now
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(storer).build();
        CountDownLatch stalled = new CountDownLatch(1);
        java.util.Map<String, Integer> runs = new java.util.concurrent.ConcurrentHashMap<>();
        JdbcInbox inbox = JdbcInbox.builder(firstBatchCallStalls(dataSource, "commit", Duration.ofSeconds(40), stalled)).maxAttempts(3)
                .workers(3).pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> runs.merge(f.idempotencyKey().substring(f.idempotencyKey().lastIndexOf(':') + 1), 1, Integer::sum))
                .inbox(inbox).build();
        try {
            inbox.start(endpoint);
            assertThat(stalled.await(10, TimeUnit.SECONDS)).as("L ran alone, and its commit stalls").isTrue();
            assertThat(runs).as("L's handler returned").containsEntry("20001", 1);
            assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202); // R
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until && !runs.containsKey("20002")) {
                Thread.sleep(100);
            }
            assertThat(runs).as("R handled within the settle floor of the stall; live workers " + inbox.liveWorkers() + "; rows "
                    + rows(dataSource)).containsKey("20002");
            until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && !rows(dataSource).contains("20001=DONE")) {
                Thread.sleep(100);
            }
            assertThat(rows(dataSource)).as("L, its stalled attempt counted, runs again and is done").contains("20001=DONE/2/");
        } finally {
            inbox.stop(Duration.ofSeconds(1));
        }
    }

    /**
     * S (20002)'s first {@code stalling} call stalls; L (20001) lost its worker (it must run alone); R (20003) comes in
     * meanwhile: each of {@code handled} is handled within 10 s, whatever else runs too.
     */
    private static void assertTheOthersRunWhileOneBatchStalls(Database database, String stalling, String... handled) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox storer = RescueTest.storedOneThatLostItsWorker(dataSource, 3, 1); // L: PENDING, worker_lost
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set next_attempt_at = next_attempt_at + 1500"); // L due in 1.5 s
        }
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(storer).build();
        assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202); // S: due now

        CountDownLatch stalled = new CountDownLatch(1);
        java.util.Set<String> ran = java.util.concurrent.ConcurrentHashMap.newKeySet();
        JdbcInbox inbox = JdbcInbox.builder(firstBatchCallStalls(dataSource, stalling, Duration.ofSeconds(20), stalled)).maxAttempts(3)
                .workers(3).pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> ran.add(f.idempotencyKey().substring(f.idempotencyKey().lastIndexOf(':') + 1))).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            assertThat(stalled.await(10, TimeUnit.SECONDS)).as("S's " + stalling + " stalls").isTrue();
            Thread.sleep(3_000); // L is claimed by another worker, and waits to run alone
            assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(3, 1))).status()).isEqualTo(202); // R
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < until && !ran.containsAll(java.util.List.of(handled))) {
                Thread.sleep(100);
            }
            assertThat(ran).as("rows handled, 10 s into a stall of one batch's " + stalling + "; live workers "
                    + inbox.liveWorkers() + "; rows " + rows(dataSource)).contains(handled);
        } finally {
            inbox.stop(Duration.ofSeconds(1));
        }
    }
}
