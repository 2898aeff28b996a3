package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SignatureScheme;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.RepeatedTest;

/**
 * A row waiting to run alone wakes the moment a stuck handler's worker is abandoned. Found by an attack review: the
 * abandoned thread was recorded only after its place in the gate was given up, so the row took an {@code /alone}
 * claim while that handler still ran, and a crash the handler then caused was charged to the row. It is now recorded
 * first, and the row runs under a batch's claim.
 */
class AbandonRaceTest {

    private static final Set<SignatureScheme> MAUTIC = Set.of(SignatureScheme.MAUTIC);

    @RepeatedTest(4)
    void aRowTakenAloneWhileAnAbandonedHandlerStillRunsGetsABatchToken() throws Exception {
        DataSource dataSource = Database.H2_FILE.dataSource();
        // X (form 2): lost its worker in a batch earlier, due in 2 s
        JdbcInbox setup = RescueTest.storedOneThatLostItsWorker(dataSource, 3, 2);
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(setup).build();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set next_attempt_at = next_attempt_at + 2000");
        }
        // Z (form 1): its handler ignores interrupts (a zombie once abandoned)
        assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);

        AtomicBoolean release = new AtomicBoolean();
        AtomicReference<Thread> zombie = new AtomicReference<>();
        AtomicReference<String> xToken = new AtomicReference<>();
        AtomicBoolean zombieAliveAtX = new AtomicBoolean();
        AtomicInteger zCalls = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(3).workers(2).handlerTimeout(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(20)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            long id = f.submission().id().orElseThrow();
            if (id == 20001) {
                if (zCalls.incrementAndGet() == 1) {
                    zombie.set(Thread.currentThread());
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
            Thread z = zombie.get();
            zombieAliveAtX.set(z != null && z.isAlive());
            try (Statement s = JdbcInbox.currentTransaction().orElseThrow().createStatement();
                 ResultSet rs = s.executeQuery("select lease_owner from hookguard_inbox where state = 'RUNNING' order by id")) {
                rs.next();
                xToken.set(rs.getString(1));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && xToken.get() == null) {
                Thread.sleep(20);
            }
            assertThat(zombieAliveAtX.get()).as("precondition: the zombie still runs").isTrue();
            assertThat(xToken.get()).as("a row beside a still-running abandoned handler must not be charged for a crash").endsWith("/batch");
        } finally {
            release.set(true);
            inbox.stop(Duration.ofSeconds(2));
        }
    }
}
