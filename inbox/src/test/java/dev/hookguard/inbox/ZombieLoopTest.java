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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * While a handler abandoned for ignoring its interrupt still runs (a blocking read with no timeout: it may run for
 * good), a row that lost its worker runs under a batch's claim, whose loss is not counted. Found by an attack review:
 * a row whose handling loses its own connection (it ends its backend, a statement answered with FATAL) then looped
 * for good. The abandoned handler is suspected for twice the handler timeout only; then the row runs alone, counted,
 * and ends dead at {@code maxAttempts}.
 */
class ZombieLoopTest {

    @Test
    void aRowThatLosesItsConnectionBesideAHandlerThatNeverEndsEndsDead() throws Exception {
        DataSource dataSource = Database.POSTGRESQL.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(2).workers(2).handlerTimeout(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        AtomicBoolean release = new AtomicBoolean();
        AtomicInteger zCalls = new AtomicInteger();
        AtomicInteger pCalls = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            long id = f.submission().id().orElseThrow();
            if (id == 20001) {
                if (zCalls.incrementAndGet() == 1) {
                    while (!release.get()) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException ignored) {
                            // a zombie
                        }
                    }
                }
                return;
            }
            pCalls.incrementAndGet();
            try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement()) {
                s.execute("select pg_terminate_backend(pg_backend_pid())");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }).inbox(inbox).build();
        try {
            assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
            inbox.start(endpoint);
            Thread.sleep(4_000); // Z abandoned (0.5 s timeout + 2 s grace)
            assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202);
            long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (System.nanoTime() < until && pCalls.get() < 6 && inbox.counts().dead() == 0) {
                Thread.sleep(100);
            }
            String row;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select state, attempts, error_class, lease_owner from hookguard_inbox order by id desc")) {
                rs.next();
                row = rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
            }
            assertThat(row).as("dead at maxAttempts, not looping").startsWith("DEAD/2/worker_lost");
            assertThat(pCalls.get()).as("at most maxAttempts counted runs (+1 uncounted batch run)").isLessThanOrEqualTo(3);
        } finally {
            release.set(true);
            inbox.stop(Duration.ofSeconds(2));
        }
    }
}
