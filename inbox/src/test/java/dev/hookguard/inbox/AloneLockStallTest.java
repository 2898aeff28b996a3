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
 * A row running alone whose claim, lock or commit does not answer is given back by its supervisor, uncounted before
 * its handler ran. But {@code claimAlone} commits the row's own {@code /alone} claim, which releases the row's lock,
 * and only the next statement ({@code lock}) locks it again. A stall of that statement (a slow link, a backend stalled
 * for a few seconds) leaves the row RUNNING, unlocked, under an {@code /alone} claim: the rescuer used to take it
 * after 5 s ({@code CLAIM_GRACE}) for a crash of its own and count it, so with {@code maxAttempts(1)} it died without
 * its handler ever running. The rescuer now leaves a row running alone to its supervisor for
 * {@code ALONE_CLAIM_GRACE} (15 s), and the supervisor gives up on a step before the handler within 10 s.
 */
class AloneLockStallTest {

    /** The statement that locks the row running alone (its own claim committed) stalls once for {@code stall}. */
    private static DataSource aloneLockStalls(DataSource delegate, Duration stall, CountDownLatch stalled) {
        return HandlingConnections.faultOnce(delegate, m -> m.equals("prepareStatement") && HandlingConnections.onStack("runAlone")
                && HandlingConnections.onStack("lock"), real -> {
            stalled.countDown();
            Thread.sleep(stall.toMillis()); // a slow link, a backend stalled for a few seconds
        });
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseAloneLockStallsForLessThanTheSettleFloorIsNotCharged(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1); // L: PENDING, worker_lost, attempts 0, due now
        CountDownLatch stalled = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(aloneLockStalls(dataSource, Duration.ofSeconds(8), stalled)).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).handlerTimeout(Duration.ofSeconds(1)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> runs.incrementAndGet()).inbox(inbox).build();
        String state;
        try {
            inbox.start(endpoint);
            assertThat(stalled.await(15, TimeUnit.SECONDS)).as("L runs alone, and the statement locking it stalls").isTrue();
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(30), HandlingConnections::settled);
        } finally {
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("L, whose lock stalled before its handler ran for 8 s, under the 10 s the supervisor allows, is handled; handler runs " + runs.get()
               ).startsWith("DONE");
        assertThat(runs.get()).isEqualTo(1);
    }
}
