package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SignatureScheme;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A handling connection that comes from the pool later than the rescue's grace (a busy pool waits up to its connection
 * timeout, 30 s by default for HikariCP; a database stall) charges no row. Found by an attack review: a row taken alone
 * got its own claim, committed, before its handling transaction was opened; the rescuer found it unlocked meanwhile
 * and counted the wait as its worker lost, so with {@code maxAttempts(1)} it died, its handler never run. Its claim of
 * its own is now committed in the handling transaction, which locks it at once.
 */
class SlowPoolTest {

    private static final Set<SignatureScheme> MAUTIC = Set.of(SignatureScheme.MAUTIC);
    private JdbcInbox started;

    @AfterEach
    void stop() {
        if (started != null) {
            started.stop(Duration.ofSeconds(2));
        }
    }

    /** The first handling connection taken from the pool comes after {@code wait}, as from a busy pool; {@code waiting} opens then. */
    private static DataSource slowFirstHandlingConnection(DataSource delegate, Duration wait, CountDownLatch waiting) {
        AtomicBoolean waited = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("openHandling")))
                    && waited.compareAndSet(false, true)) {
                waiting.countDown();
                Thread.sleep(wait.toMillis());
            }
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static String row(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class, lease_owner from hookguard_inbox")) {
            rs.next();
            return rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
        }
    }

    private void run(Database database, AtomicInteger handled, DataSource[] out) throws Exception {
        DataSource dataSource = database.dataSource();
        out[0] = dataSource;
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1);
        JdbcInbox inbox = JdbcInbox.builder(slowFirstHandlingConnection(dataSource, Duration.ofSeconds(6), new CountDownLatch(1))).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).build();
        started = inbox;
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> handled.incrementAndGet()).inbox(inbox).build();
        inbox.start(endpoint);
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until && inbox.counts().done() + inbox.counts().dead() == 0) {
            Thread.sleep(50);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowTakenAloneIsNotChargedForAPoolWaitBeforeItsHandlerRuns(Database database) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        DataSource[] dataSource = new DataSource[1];
        run(database, handled, dataSource);
        assertThat(row(dataSource[0])).as("handler runs: " + handled.get()).startsWith("DONE/");
        assertThat(handled.get()).isEqualTo(1);
    }

    /**
     * A stop ({@code close()} stops at once) while a row that lost its worker is being claimed alone, its handling
     * connection slow to come. Found by an attack review: the worker, abandoned by the stop before its transaction was
     * known, went on to commit its own claim and returned without settling; the row stayed {@code RUNNING}, unlocked, and
     * the rescuer counted a worker lost (with {@code maxAttempts(1)}, dead, its handler never run). A row that comes back
     * unhandled under its own claim is now given back, uncounted.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void aStopWhileARowIsClaimedAloneDoesNotChargeIt(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1);
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(slowFirstHandlingConnection(dataSource, Duration.ofSeconds(3), waiting)).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> handled.incrementAndGet()).inbox(inbox).build();
        inbox.start(endpoint);
        assertThat(waiting.await(10, TimeUnit.SECONDS)).as("the row waits for its handling connection").isTrue();
        inbox.stop(Duration.ZERO); // as close() does
        Thread.sleep(4_000); // the pool answers; the abandoned worker goes on

        // Any instance's rescuer, later.
        JdbcInbox rescuer = JdbcInbox.builder(dataSource).maxAttempts(1).build();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set claimed_at = claimed_at - 60000 where state = 'RUNNING'");
        }
        rescuer.rescue(10, MAUTIC);
        assertThat(handled.get()).isZero();
        assertThat(row(dataSource)).as("a row whose handler never ran alone, after a stop").startsWith("PENDING/0/worker_lost");
    }
}
