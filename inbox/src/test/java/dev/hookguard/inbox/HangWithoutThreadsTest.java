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
import org.junit.jupiter.api.Test;
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
    void aRowWhoseHandlerAlwaysHangsEndsDeadWhenTheSupervisorHasNoThread(Database database) throws Exception {
        hangsEveryTime(database.dataSource(), false);
    }

    /**
     * The same once the store watch has ended, as it does after a quiet minute without stores. Found by an attack
     * review: the supervisor's count took its deadline from the store watch on PostgreSQL, whose start was refused, so
     * the row was left to the rescuer, given its attempt back, and looped. The count's deadline is now the socket's
     * read timeout, which needs no thread.
     */
    @Test
    void aRowWhoseHandlerAlwaysHangsEndsDeadWhenTheSupervisorHasNoThreadAndTheStoreWatchHasEnded() throws Exception {
        long exitBefore = StoreDeadline.exitAfterNanos;
        StoreDeadline.exitAfterNanos = TimeUnit.MILLISECONDS.toNanos(100); // a quiet minute, shortened
        try {
            hangsEveryTime(Database.POSTGRESQL.dataSource(), true);
        } finally {
            StoreDeadline.exitAfterNanos = exitBefore;
        }
    }

    @SuppressWarnings("removal")
    private static void hangsEveryTime(DataSource dataSource, boolean watchEnded) throws Exception {
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
        if (watchEnded) {
            long quiet = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (watchAlive() && System.nanoTime() < quiet) {
                Thread.sleep(50);
            }
            assertThat(watchAlive()).as("the store watch ended after its quiet spell").isFalse();
        }

        HandlingConnections.NoThreadWhileAbandoning noThreads = new HandlingConnections.NoThreadWhileAbandoning(Integer.MAX_VALUE).install();
        String state;
        try {
            inbox.start(endpoint);
            // One run in its batch (not counted: which row hung a batch is not known), one alone (counted): dead then.
            state = HandlingConnections.awaitRow(dataSource, Duration.ofSeconds(35), row -> row.startsWith("DEAD") || runs.get() > 3);
        } finally {
            System.setSecurityManager(null);
            never.countDown();
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(state).as("a row with maxAttempts(1) whose handler hangs every time; handler runs " + runs.get() + ", threads refused "
                + noThreads.thrown.get()).startsWith("DEAD");
        assertThat(runs.get()).as("handler runs: once in its batch, once alone").isLessThanOrEqualTo(2);
    }

    private static boolean watchAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("hookguard-store-watch") && t.isAlive());
    }
}
