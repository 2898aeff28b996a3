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

    /** The first handling connection taken from the pool comes after a 6 s wait, as from a busy pool. */
    private static DataSource slowFirstHandlingConnection(DataSource delegate) {
        AtomicBoolean waited = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("openHandling")))
                    && waited.compareAndSet(false, true)) {
                Thread.sleep(6_000);
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
        JdbcInbox inbox = JdbcInbox.builder(slowFirstHandlingConnection(dataSource)).maxAttempts(1).workers(1)
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
}
