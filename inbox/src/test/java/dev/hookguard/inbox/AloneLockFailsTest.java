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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row gets its own claim to run alone, then its handling connection fails before the lock (a failover, a reset
 * connection). Found by an attack review: the row was left {@code RUNNING} under {@code /alone}, unlocked, and the
 * rescuer counted a worker lost for a row whose handler never ran (with {@code maxAttempts(1)}, dead). It is now
 * given back at once, uncounted.
 */
class AloneLockFailsTest {

    private static final Set<SignatureScheme> MAUTIC = Set.of(SignatureScheme.MAUTIC);

    private static Object call(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The first lock statement after an alone claim fails, as a connection the database dropped would. */
    private static DataSource lockFailsOnceAfterClaimAlone(DataSource delegate) {
        AtomicBoolean failed = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = call(delegate, method, args);
            if (!method.getName().equals("getConnection")
                    || !StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("runAlone")))) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().equals("prepareStatement") && String.valueOf(a[0]).contains("for update") && failed.compareAndSet(false, true)) {
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                return call(real, m, a);
            });
        });
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseHandlingConnectionFailsBeforeItsHandlerIsNotCharged(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1);
        AtomicInteger handled = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(lockFailsOnceAfterClaimAlone(dataSource)).maxAttempts(1).workers(1)
                .pollInterval(Duration.ofMillis(20)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> handled.incrementAndGet()).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && inbox.counts().done() + inbox.counts().dead() == 0) {
                Thread.sleep(50);
            }
        } finally {
            inbox.stop(Duration.ofSeconds(2));
        }
        String row;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class, last_error from hookguard_inbox")) {
            rs.next();
            row = rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
        }
        assertThat(row).as("handler runs: " + handled.get()).startsWith("DONE/");
    }
}
