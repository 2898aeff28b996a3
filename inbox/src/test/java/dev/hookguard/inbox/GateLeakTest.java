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
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An Error (memory short for a moment) while a row waiting to run alone keeps its claim fresh. Found by an attack
 * review: the gate had closed to batches, but the worker recorded its hold only once the wait returned, so the Error
 * left the gate closed for good; no batch was claimed again in the instance, while {@code liveWorkers()} said all was
 * well. A wait that does not end in the gate's hold now reopens it, however it ends.
 */
class GateLeakTest {

    private static DataSource errorOnceInKeepClaim(DataSource delegate) {
        AtomicBoolean thrown = new AtomicBoolean();
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection")
                    && StackWalker.getInstance().walk(s -> s.anyMatch(f -> f.getMethodName().equals("keepClaim")))
                    && thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("Java heap space (attack: memory short for a moment)");
            }
            try {
                return method.invoke(delegate, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private static List<String> rows(DataSource dataSource) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select part_key, state, attempts, error_class, lease_owner from hookguard_inbox order by id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getString(2) + "/" + rs.getInt(3) + "/" + rs.getString(4) + "/" + rs.getString(5));
            }
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void anErrorWhileARowWaitsAloneLeavesNoGateClosed(Database database) throws Exception {
        DataSource dataSource = database.dataSource();
        JdbcInbox storer = RescueTest.storedOneThatLostItsWorker(dataSource, 3, 1); // L: PENDING, worker_lost
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set next_attempt_at = next_attempt_at + 1500"); // L due in 1.5 s
        }
        WebhookEndpoint<MauticBatch> storing = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                .inbox(storer).build();
        assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202); // S: due now

        AtomicInteger handled = new AtomicInteger();
        JdbcInbox inbox = JdbcInbox.builder(errorOnceInKeepClaim(dataSource)).maxAttempts(3).workers(2)
                .pollInterval(Duration.ofMillis(20)).build();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> {
            if (handled.incrementAndGet() == 1) {
                Thread.sleep(4_000); // S: a batch in flight, so that L waits alone (and keeps its claim) for a while
            }
        }).inbox(inbox).build();
        try {
            inbox.start(endpoint);
            Thread.sleep(6_000);
            assertThat(storing.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(3, 1))).status()).isEqualTo(202); // R
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until && inbox.counts().done() < 3) {
                Thread.sleep(100);
            }
            assertThat(inbox.counts().done()).as(rows(dataSource).toString()).isEqualTo(3);
        } finally {
            inbox.stop(Duration.ofSeconds(2));
        }
    }
}
