package dev.hookguard.inbox;

import static dev.hookguard.inbox.SpoolFixtures.await;
import static dev.hookguard.inbox.SpoolFixtures.directory;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.inbox.JdbcInboxTest.Database;
import dev.hookguard.malcolm.WorkflowSession;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attack review: one delivery, one 202, maxAttempts 1. Its store committed, but the answer was lost (a connection
 * dropped after the commit), so it was also spooled. The drain is late, while the stored row is handled and dies. A
 * drain that revived every dead row it met ran the handler a second time for the one 202, past maxAttempts; a copy
 * that may be stored already (SpoolEntry.mayBeStored) revives nothing.
 */
class SpooledCopyTest {

    static final AtomicBoolean failAfterCommit = new AtomicBoolean();
    static final AtomicBoolean holdDrainer = new AtomicBoolean();

    @ParameterizedTest
    @EnumSource(Database.class)
    void aSpooledCopyOfACommittedStoreNeverRevivesTheRowAfterItDied(Database database) throws Exception {
        DataSource ds = wrap(database.dataSource());
        JdbcInbox inbox = JdbcInbox.builder(ds).spool(directory("spooled-copy")).maxAttempts(1)
                .pollInterval(Duration.ofMillis(20)).backoff(Duration.ofMillis(20), Duration.ofMillis(50)).build();
        inbox.initializeSchema();
        AtomicInteger calls = new AtomicInteger();
        WebhookEndpoint<WorkflowSession> endpoint = WebhookEndpoint.malcolm().secrets(JdbcInboxTest.SECRET).onAny(session -> {
            calls.incrementAndGet();
            throw new IllegalStateException("this delivery always fails");
        }).inbox(inbox).build();
        try {
            failAfterCommit.set(true);
            holdDrainer.set(true);
            assertThat(endpoint.process(OutageRedeliveryTest.session("ws-victim")).status()).as("the one delivery").isEqualTo(202);
            assertThat(failAfterCommit.get()).as("the store committed and then failed").isFalse();
            assertThat(inbox.spool().isEmpty()).as("and was spooled too").isFalse();
            inbox.start(endpoint);
            await(() -> inbox.counts().dead() == 1, "the row dead after its one attempt");
            assertThat(calls.get()).isEqualTo(1);
            holdDrainer.set(false);
            assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(10))).isTrue();
            Thread.sleep(1500);
            assertThat(calls.get()).as("handler runs for one 202 with maxAttempts(1)").isEqualTo(1);
        } finally {
            holdDrainer.set(false);
            failAfterCommit.set(false);
            inbox.stop(Duration.ofSeconds(2));
            inbox.close();
        }
    }

    /** The database, except: the first insert of ws-victim commits and then fails (08006); the drainer is refused while held. */
    static DataSource wrap(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(SpooledCopyTest.class.getClassLoader(), new Class<?>[] {DataSource.class}, (p, m, a) -> {
            if (m.getName().equals("getConnection")) {
                if (holdDrainer.get() && Thread.currentThread().getName().startsWith("hookguard-spool-drainer")) {
                    throw new SQLTransientConnectionException("connection refused", "08001");
                }
                Connection c = (Connection) invoke(real, m, a);
                return connection(c);
            }
            return invoke(real, m, a);
        });
    }

    private static Connection connection(Connection real) {
        return (Connection) Proxy.newProxyInstance(SpooledCopyTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
            Object result = invoke(real, m, a);
            if (m.getName().equals("prepareStatement") && a != null && a[0] instanceof String sql && sql.startsWith("insert into")) {
                return statement((PreparedStatement) result);
            }
            return result;
        });
    }

    private static PreparedStatement statement(PreparedStatement real) {
        String[] first = new String[1];
        return (PreparedStatement) Proxy.newProxyInstance(SpooledCopyTest.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
                (p, m, a) -> {
                    if (m.getName().equals("setString") && (Integer) a[0] == 1) {
                        first[0] = (String) a[1];
                    }
                    Object result = invoke(real, m, a);
                    if (m.getName().equals("executeUpdate") && first[0] != null && first[0].contains("ws-victim")
                            && failAfterCommit.compareAndSet(true, false)) {
                        throw new SQLException("An I/O error occurred while sending to the backend (after the commit)", "08006");
                    }
                    return result;
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] a) throws Throwable {
        try {
            return m.invoke(target, a);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
