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
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A row whose handler's own writes make its commit wait (a key of a deferred unique constraint that another
 * transaction holds uncommitted). The alone watch gave such a row back uncounted whether its handler had run or not,
 * so it ran alone again and again, never counted, the gate closed to every batch for 10 s of each round; in a batch,
 * nothing watched the commit, and its worker waited for as long as the other transaction lived. Now a batch's commit
 * that does not answer within the handler timeout (10 s at least) is aborted and its rows left to the rescuer, as a
 * lost worker's: uncounted, to run alone; alone, a stall after the handler ran is the row's, and counted.
 */
class OwnCommitStallLoopsTest {

    private static String row(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class from hookguard_inbox")) {
            rs.next();
            return rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3);
        }
    }

    @Test
    void aRowWhoseOwnWritesStallItsCommitEndsDeadInsteadOfHoldingAWorkerOrLooping() throws Exception {
        DataSource dataSource = Database.POSTGRESQL.dataSource();
        JdbcInbox storer = JdbcInbox.builder(dataSource).build();
        storer.initializeSchema();
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(storer).build();
        assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("create table stall_keys (k text, constraint stall_unique unique (k) deferrable initially deferred)");
        }
        Connection holder = dataSource.getConnection();
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("insert into stall_keys values ('k')"); // uncommitted, for the whole test
        }
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            runs.incrementAndGet();
            try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                s.execute("insert into stall_keys values ('k')"); // returns at once; its check waits at the commit
            }
        }).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < until && runs.get() <= 2 && !row(dataSource).startsWith("DEAD")) {
                Thread.sleep(200);
            }
            assertThat(row(dataSource)).as("a row with maxAttempts(1) whose own commit stalls each time; handler runs " + runs.get())
                    .isEqualTo("DEAD/1/handler_timeout");
            assertThat(runs.get()).as("handler runs: once in a batch (not counted: its commit's stall is no one's), once alone")
                    .isEqualTo(2);
        } finally {
            inbox.stop(Duration.ofSeconds(1));
            holder.rollback();
            holder.close();
        }
    }
}
