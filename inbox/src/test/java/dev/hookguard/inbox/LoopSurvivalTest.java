package dev.hookguard.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.WebhookEndpoint;
import dev.hookguard.mautic.FormSubmitted;
import dev.hookguard.mautic.MauticBatch;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The inbox's own threads outlive a failure of their failure report: memory short at that moment, or a logging
 * backend that throws an Error. Found by an attack review: the rescuer's loop caught what a pass threw, but not what
 * its WARN line threw, so its thread ended, and rows whose worker had died stayed {@code RUNNING} for good.
 */
class LoopSurvivalTest {

    /** A logging backend that fails with an Error on the first {@code times} WARN or ERROR lines that start with one of these. */
    private static final class FailingReport extends Handler implements AutoCloseable {
        private final Logger logger;
        private final List<String> starts;
        private final int times;
        final AtomicInteger thrown = new AtomicInteger();

        FailingReport(Class<?> logging, int times, String... starts) {
            this.logger = Logger.getLogger(logging.getName());
            this.starts = List.of(starts);
            this.times = times;
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            String message = String.valueOf(record.getMessage());
            if (record.getLevel().intValue() >= Level.WARNING.intValue() && starts.stream().anyMatch(message::startsWith)
                    && thrown.getAndIncrement() < times) {
                throw new OutOfMemoryError("Java heap space (while reporting)");
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    @Test
    void theRescuerGoesOnAfterItsFailureReportThrowsAnError() throws Exception {
        SwitchableDataSource dataSource = new SwitchableDataSource(TestH2.freshFile("loop-survival"));
        JdbcInbox inbox = JdbcInbox.builder(dataSource).pollInterval(Duration.ofMillis(20)).workers(1).build();
        inbox.initializeSchema();
        AtomicInteger handled = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET)
                .on(FormSubmitted.class, f -> handled.incrementAndGet()).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);
        // An instance that claimed the row and died before its handler ran: only the rescuer brings it back.
        assertThat(inbox.claim(1, Set.of(SignatureScheme.MAUTIC))).hasSize(1);

        try (FailingReport report = new FailingReport(JdbcInbox.class, 1, "the inbox rescuer")) {
            dataSource.away.set(true);
            inbox.start(endpoint);
            AbandonedHandlerTest.await(Duration.ofSeconds(5), () -> report.thrown.get() > 0, "the rescuer met the database away and reported it");
            dataSource.away.set(false);
            try (Connection c = dataSource.real().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("update hookguard_inbox set claimed_at = claimed_at - 60000 where state = 'RUNNING'");
            }

            AbandonedHandlerTest.await(Duration.ofSeconds(10), () -> handled.get() == 1, "the orphan rescued and handled");
        } finally {
            inbox.stop(Duration.ofSeconds(1));
        }
        assertThat(inbox.counts().done()).isEqualTo(1);
    }

    /**
     * A handler that ignores its interrupt is abandoned by the supervisor, while every line the supervisor writes
     * about it throws (a logging backend whose appender fails on each line). The supervisor must go on and act: else
     * no handler timeout is kept again and no worker replaced, and the next delivery waits behind the stuck handler
     * for good. It first died of the line; kept alive, it still wrote the line before it acted, so it never acted.
     */
    @Test
    void theSupervisorActsAndGoesOnWhileEveryLineItWritesThrowsAnError() throws Exception {
        JdbcInbox inbox = JdbcInbox.builder(TestH2.freshFile("loop-survival")).pollInterval(Duration.ofMillis(20)).workers(1)
                .handlerTimeout(Duration.ofMillis(300)).build();
        inbox.initializeSchema();
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, form -> {
            if (form.idempotencyKey().endsWith(":20001")) {
                while (never.getCount() > 0) { // deaf to its interrupt
                    try {
                        never.await();
                    } catch (InterruptedException ignored) {
                        // keeps waiting
                    }
                }
                return;
            }
            handled.incrementAndGet();
        }).inbox(inbox).build();
        assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).isEqualTo(202);

        try (FailingReport report = new FailingReport(JdbcInbox.class, Integer.MAX_VALUE, "an inbox handler ran past its timeout",
                "the inbox supervisor failed")) {
            inbox.start(endpoint);
            AbandonedHandlerTest.await(Duration.ofSeconds(10), () -> report.thrown.get() >= 2, "the supervisor's lines threw");
            assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(2, 1))).status()).isEqualTo(202);

            AbandonedHandlerTest.await(Duration.ofSeconds(10), () -> handled.get() == 1, "the next delivery handled by a new worker");
        } finally {
            never.countDown();
            inbox.stop(Duration.ofSeconds(1));
        }
    }

    /**
     * The spool's drainer reports that the database is still away, and the report throws. The drainer used to end with
     * its field still set, so no other started: what the spool held was never stored, until a restart.
     */
    @Test
    void theSpoolDrainerGoesOnAfterItsReportThrowsAnError() throws Exception {
        SwitchableDataSource dataSource = new SwitchableDataSource(TestH2.freshFile("loop-survival"));
        java.nio.file.Path spool = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "loop-survival-spool-" + System.nanoTime()));
        try (JdbcInbox inbox = JdbcInbox.builder(dataSource).spool(spool).storeTimeout(Duration.ofSeconds(1)).build()) {
            inbox.initializeSchema();
            WebhookEndpoint<MauticBatch> endpoint = WebhookEndpoint.mautic().secrets(InboxWorkerProcess.SECRET).on(FormSubmitted.class, f -> { })
                    .inbox(inbox).build();
            try (FailingReport report = new FailingReport(Spool.class, 1, "the spool cannot drain yet")) {
                dataSource.away.set(true);
                assertThat(endpoint.process(JdbcInboxTest.mautic(JdbcInboxTest.forms(1, 1))).status()).as("spooled").isEqualTo(202);
                AbandonedHandlerTest.await(Duration.ofSeconds(5), () -> report.thrown.get() > 0, "the drainer met the database away and reported it");
                dataSource.away.set(false);

                assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(10))).as("drained once the database is back").isTrue();
            }
            assertThat(inbox.counts().pending()).isEqualTo(1);
        }
    }

    /**
     * The drainer sets aside an entry the database refuses for good (bad data), while its ERROR line about it always
     * throws. It used to write the line before it settled the entry, so the restarted drainer set the same entry aside
     * again every 200 ms, for good, and never reached the entry behind it, answered 202 and never stored.
     */
    @Test
    void theSpoolDrainerSettlesAnEntrySetAsideWhileItsReportAlwaysThrows() throws Exception {
        java.nio.file.Path dir = SpoolFixtures.directory("loop-survival-aside");
        List<SpoolEntry> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean away = new java.util.concurrent.atomic.AtomicBoolean(true);
        Spool.Sink refusingBad = entries -> {
            if (away.get()) {
                SpoolFixtures.AWAY.store(entries);
            }
            if (SpoolFixtures.keys(entries).contains("bad-key-x")) {
                throw new java.sql.SQLException("value too long", "22001");
            }
            stored.addAll(entries);
        };
        try (Spool spool = new Spool(dir, 1 << 20, Duration.ofHours(1), () -> 1_000L, refusingBad);
             FailingReport report = new FailingReport(Spool.class, Integer.MAX_VALUE, "the inbox's database refuses a spooled delivery for good")) {
            for (String key : List.of("a", "bad-key-x", "c")) {
                spool.append(SpoolFixtures.entry(1_000L, key), null);
            }
            away.set(false);
            SpoolFixtures.await(() -> spool.counts().entries() == 0, "drained");
            assertThat(SpoolFixtures.keys(stored)).containsExactly("a", "c");
            assertThat(report.thrown.get()).as("its line threw").isPositive();
        }
        String rejected = java.nio.file.Files.readString(dir.resolve("rejected.log"), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(rejected.split("bad-key-x", -1).length - 1).as("copies of the refused entry in rejected.log").isEqualTo(1);
    }
}
