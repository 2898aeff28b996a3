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
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code stop(deadline)} called from a thread whose interrupt flag is set (a container's
 * shutdown thread, an executor's {@code shutdownNow}, a {@code @PreDestroy} on an interrupted thread). The promise
 * (README): a stop lets running handlers finish within the deadline and gives back the rest, uncounted; a row is only
 * charged for a failure of its own.
 */
class InterruptedStopTest {

    private static String row(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class, last_error from hookguard_inbox")) {
            rs.next();
            return rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
        }
    }

    /**
     * The handler honours the stop's interrupt (200 ms of cleanup after it). The interrupted caller's joins used to
     * return at once, and every worker still alive was abandoned as one that "ignored the stop's interrupt": its row
     * failed, counted (with {@code maxAttempts(1)}, dead). The caller's flag is kept for after the stop.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aStopFromAnInterruptedThreadDoesNotChargeAHandlerThatHonoursIt(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox inbox = JdbcInbox.builder(dataSource).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20)).build();
        inbox.initializeSchema();
        CountDownLatch running = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            running.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                long until = System.nanoTime() + Duration.ofMillis(200).toNanos();
                while (System.nanoTime() < until) {
                    Thread.onSpinWait(); // a short cleanup, well within the stop's deadline
                }
                throw e;
            }
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        inbox.start(endpoint);
        assertThat(running.await(10, TimeUnit.SECONDS)).as("the handler runs").isTrue();

        java.util.concurrent.atomic.AtomicBoolean stillInterrupted = new java.util.concurrent.atomic.AtomicBoolean();
        Thread stopper = new Thread(() -> {
            Thread.currentThread().interrupt(); // the shutdown thread's flag is set
            inbox.stop(Duration.ofSeconds(2));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        }, "interrupted-stopper");
        stopper.start();
        stopper.join(30_000);
        Thread.sleep(1_000); // the aborter settles what the stop abandoned

        assertThat(interrupted.get()).as("the handler saw the stop's interrupt").isEqualTo(1);
        assertThat(stillInterrupted).as("the caller's interrupt is kept for it").isTrue();
        assertThat(row(dataSource)).as("a row whose handler honoured the stop is given back, uncounted").startsWith("PENDING/0/");
    }
}
