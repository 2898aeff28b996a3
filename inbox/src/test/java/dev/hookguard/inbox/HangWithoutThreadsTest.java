package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A process at its thread limit (what stuck handlers lead to): the supervisor's abandon gets no thread, aborts the
 * worker itself and leaves the rows to the rescuer, which counts by the row's claim token. A row whose handler hangs
 * runs alone after its batch; but the handler it just hung in is still alive, so {@code ownClaim(.., besideNothing =
 * false)} gives the row a <em>batch</em> token, and when it hung again the rescuer gave the attempt back: it never
 * ended dead, and each round left one more hung thread. The supervisor now counts the row at fault itself, within
 * seconds, even with no thread to spare.
 */
class HangWithoutThreadsTest {

    @ParameterizedTest
    @EnumSource(Database.class)
    @SuppressWarnings("removal")
    void aRowWhoseHandlerAlwaysHangsEndsDeadWhenTheSupervisorHasNoThread(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20))
                .handlerTimeout(Duration.ofSeconds(2)).build();
        inbox.initializeSchema();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, form -> {
            runs.incrementAndGet();
            while (never.getCount() > 0) { // deaf to its interrupt, every time
                try {
                    never.await();
                } catch (InterruptedException ignored) {
                    // keeps waiting
                }
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);

        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE).install();
        String state = "";
        try {
            inbox.start(endpoint);
            long until = System.nanoTime() + Duration.ofSeconds(35).toNanos();
            state = HandlingConnections.row(dataSource);
            // One run in its batch (not counted: which row hung a batch is not known), one alone (counted): dead then.
            while (System.nanoTime() < until && !state.startsWith("DEAD") && runs.get() <= 3) {
                Thread.sleep(100);
                state = HandlingConnections.row(dataSource);
            }
        } finally {
            System.setSecurityManager(null);
            never.countDown();
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("a row with maxAttempts(1) whose handler hangs every time; handler runs " + runs.get() + ", threads refused "
                + noThreads.thrown.get()).startsWith("DEAD");
        assertThat(runs.get()).as("handler runs: once in its batch, once alone").isLessThanOrEqualTo(2);
    }
}
