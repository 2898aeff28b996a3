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
    @SuppressWarnings("removal")
    void aRowWhoseAloneLockStallsIsNotChargedWhenTheSupervisorHasNoThread(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1); // L: PENDING, worker_lost, attempts 0, due now
        CountDownLatch stalled = new CountDownLatch(1);
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
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(35), HandlingConnections::settled);
        } finally {
            System.setSecurityManager(null);
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("L, whose lock stalled before its handler ran, with no thread to spare; handler runs " + runs.get()
                + ", threads refused " + noThreads.thrown.get()).startsWith("DONE");
        assertThat(runs.get()).isEqualTo(1);
    }
}
