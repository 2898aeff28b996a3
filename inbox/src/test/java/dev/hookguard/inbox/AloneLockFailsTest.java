package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A row's own claim to run alone is committed, then its connection fails before its handler runs. Found by attack
 * reviews: the row was left {@code RUNNING} under its own claim, unlocked, and the rescuer counted a worker lost for a
 * row whose handler never ran (with {@code maxAttempts(1)}, dead). First when the lock failed (a failover, a reset
 * connection), then, once that was mended, when the claim's own commit lost its reply (on PostgreSQL, or the settings
 * the handling transaction takes after it). The row is now given back at once, uncounted, and handled.
 */
class AloneLockFailsTest {

    private static Object call(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A call on a connection runAlone takes: whether it fails (once), given the method and its arguments. */
    @FunctionalInterface
    private interface Fault {
        boolean failsAfter(String method, Object[] args);
    }

    /** Connections taken in runAlone, whose first call {@code fault} picks fails as a connection the database dropped. */
    private static DataSource failingOnceInRunAlone(DataSource delegate, Fault before, Fault after) {
        AtomicBoolean failed = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            Object result = call(delegate, method, args);
            if (!method.getName().equals("getConnection")
                    || !StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("runAlone")))) {
                return result;
            }
            Connection real = (Connection) result;
            return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (before.failsAfter(m.getName(), a) && failed.compareAndSet(false, true)) {
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                Object r = call(real, m, a);
                if (after.failsAfter(m.getName(), a) && failed.compareAndSet(false, true)) {
                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                }
                return r;
            });
        });
    }

    /** The row that lost its worker, handled by an inbox on {@code faulty}: its row afterwards, as state/attempts/.... */
    private static String handledThrough(DataSource dataSource, java.util.function.UnaryOperator<DataSource> faulty, AtomicInteger handled)
            throws Exception {
        RescueTest.storedOneThatLostItsWorker(dataSource, 1, 1);
        JdbcInbox inbox = JdbcInbox.builder(faulty.apply(dataSource)).maxAttempts(1).workers(1).pollInterval(Duration.ofMillis(20)).build();
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
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select state, attempts, error_class, last_error from hookguard_inbox")) {
            rs.next();
            return rs.getString(1) + "/" + rs.getInt(2) + "/" + rs.getString(3) + "/" + rs.getString(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseLockFailsAfterItsOwnClaimIsNotCharged(Database database) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        String row = handledThrough(database.dataSource(), ds -> failingOnceInRunAlone(ds,
                (method, args) -> method.equals("prepareStatement") && String.valueOf(args[0]).contains("for update"), (method, args) -> false), handled);
        assertThat(row).as("handler runs: " + handled.get()).startsWith("DONE/");
        assertThat(handled.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRowWhoseOwnClaimsCommitLosesItsReplyIsNotCharged(Database database) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        String row = handledThrough(database.dataSource(), ds -> failingOnceInRunAlone(ds, (method, args) -> false,
                (method, args) -> method.equals("commit")), handled);
        assertThat(row).as("handler runs: " + handled.get()).startsWith("DONE/");
        assertThat(handled.get()).isEqualTo(1);
    }
}
