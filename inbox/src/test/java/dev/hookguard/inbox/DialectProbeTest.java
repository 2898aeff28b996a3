package dev.hookguard.inbox;

import static dev.hookguard.inbox.SpoolFixtures.delivery;
import static dev.hookguard.inbox.SpoolFixtures.directory;
import static dev.hookguard.inbox.SpoolFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An instance started while its database is away learns the database's dialect from the first connection that
 * works. Until then, concurrent stores wait on one probe of the database, at most their store timeout: they used to
 * take turns under a lock, each with a connection attempt of its own, so the sixth of a burst waited six connection
 * timeouts (6 s) before it was spooled, and behind a database that hangs, every request waited for good.
 */
@Timeout(60)
class DialectProbeTest {

    /** A database away from the start: an instance started during an outage. */
    private static SwitchableDataSource away(DataSource real) {
        SwitchableDataSource db = new SwitchableDataSource(real);
        db.away.set(true);
        return db;
    }

    private static List<Long> storeConcurrently(JdbcInbox inbox, int count) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            List<Future<Long>> took = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String key = "k" + i;
                took.add(threads.submit(() -> {
                    long start = System.nanoTime();
                    assertThat(inbox.store(delivery(key))).isEqualTo(1);
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }));
            }
            List<Long> millis = new ArrayList<>();
            for (Future<Long> f : took) {
                millis.add(f.get(50, TimeUnit.SECONDS));
            }
            return millis;
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aBurstOfStoresWhileTheDialectIsUnknownIsSpooledWithinTheStoreTimeoutNotInTurn() throws Exception {
        SwitchableDataSource db = away(TestH2.freshFile("dialect-burst")).refusingAfter(Duration.ofSeconds(1));
        try (JdbcInbox inbox = JdbcInbox.builder(db).storeTimeout(Duration.ofSeconds(1)).spool(directory("dialect-burst-spool")).build()) {
            assertThat(inbox.prepareSchema(true)).as("as an adapter starts it: the table not checked, the start goes on").isEmpty();
            int before = db.attemptsWhileAway.get();
            List<Long> millis = storeConcurrently(inbox, 6);
            assertThat(millis).as("each spooled within about its 1 s store timeout").allMatch(m -> m < 2_000);
            assertThat(db.attemptsWhileAway.get() - before).as("one probe for the burst, not one each").isLessThanOrEqualTo(2);
            db.away.set(false);
            inbox.initializeSchema(); // the database was away at start: as the adapters' prepareSchema does once it answers
            assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(20))).isTrue();
            for (int i = 0; i < 6; i++) {
                assertThat(rows(db.real(), "k" + i)).isEqualTo(1);
            }
        }
    }

    @Test
    void aDatabaseThatHangsWhileTheDialectIsUnknownHoldsNoStoreLongerThanItsTimeout() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        SwitchableDataSource db = away(TestH2.freshFile("dialect-hang")).hangingUntil(hang);
        try (JdbcInbox inbox = startedInTheBackground(db)) {
            List<Long> millis = storeConcurrently(inbox, 4);
            assertThat(millis).as("spooled at the 1 s store timeout, the probe still hanging").allMatch(m -> m < 2_000);
            hang.countDown();
        }
    }

    @Test
    void anApplicationsStartWithoutASpoolWaitingForADatabaseThatHangsCanBeCancelled() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        SwitchableDataSource db = away(TestH2.freshFile("dialect-cancel")).hangingUntil(hang);
        java.util.concurrent.atomic.AtomicReference<Throwable> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread startup = new Thread(() -> {
            try {
                JdbcInbox.builder(db).build();
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "app-startup");
        startup.start();
        Thread.sleep(300);
        startup.interrupt();
        startup.join(3_000);
        boolean ended = !startup.isAlive();
        hang.countDown();
        startup.join(5_000);
        assertThat(ended).as("the cancelled start ends, the database still hanging").isTrue();
        assertThat(outcome.get()).isInstanceOf(InboxException.class).hasMessageContaining("interrupted");
    }

    @Test
    void aStoreWhileTheWorkersStartBehindADatabaseThatHangsWaitsItsOwnTimeoutOnly() throws Exception {
        CountDownLatch hang = new CountDownLatch(1);
        SwitchableDataSource db = away(TestH2.freshFile("dialect-start")).hangingUntil(hang);
        JdbcInbox inbox = JdbcInbox.builder(db).storeTimeout(Duration.ofSeconds(2)).spool(directory("dialect-start-spool")).build();
        try {
            Thread starter = new Thread(() -> inbox.start(new dev.hookguard.delivery.spi.StoredHandler() {
                @Override
                public dev.hookguard.signature.SignatureScheme scheme() {
                    return dev.hookguard.signature.SignatureScheme.MAUTIC;
                }

                @Override
                public boolean handle(byte[] body, dev.hookguard.delivery.Headers headers, String tenant, String key) {
                    return true;
                }
            }), "adapter-start");
            starter.start();
            Thread.sleep(200);
            long start = System.nanoTime();
            assertThat(inbox.store(delivery("during-start"))).as("spooled").isEqualTo(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("at most its own 2 s, not the start's as well").isLessThan(2_700);
            starter.join(10_000);
        } finally {
            hang.countDown();
            inbox.close();
        }
    }

    /** An inbox with a spool, started while its database hangs: it waits one store timeout for it, then starts. */
    private static JdbcInbox startedInTheBackground(SwitchableDataSource db) throws Exception {
        long start = System.nanoTime();
        JdbcInbox inbox = JdbcInbox.builder(db).storeTimeout(Duration.ofSeconds(1)).spool(directory("dialect-hang-spool")).build();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("started, the database still hanging").isLessThan(3_000);
        return inbox;
    }
}
