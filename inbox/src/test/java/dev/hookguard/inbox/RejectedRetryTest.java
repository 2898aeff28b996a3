package dev.hookguard.inbox;

import static dev.hookguard.inbox.SpoolFixtures.AWAY;
import static dev.hookguard.inbox.SpoolFixtures.await;
import static dev.hookguard.inbox.SpoolFixtures.delivery;
import static dev.hookguard.inbox.SpoolFixtures.directory;
import static dev.hookguard.inbox.SpoolFixtures.entry;
import static dev.hookguard.inbox.SpoolFixtures.keys;
import static dev.hookguard.inbox.SpoolFixtures.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.testsupport.LogCapture;
import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the database refused for good is kept in {@code rejected.log}, and a restart tries it again: an operator who
 * fixed the cause (a constraint, a column too narrow) restarts the instance and the deliveries are stored, once.
 */
class RejectedRetryTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private Spool spool(Path dir, AtomicLong clock, Spool.Sink sink) throws Exception {
        Spool spool = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, sink);
        open.add(spool);
        return spool;
    }

    /** A sink that refuses everything for good, as a broken constraint would. */
    private static final Spool.Sink REFUSING_ALL = entries -> {
        throw new SQLException("violates check constraint", "23514");
    };

    /** A sink that refuses the part "bad" for good, as a broken constraint would, and stores the others. */
    private static Spool.Sink refusingBad(List<SpoolEntry> stored) {
        return entries -> {
            if (keys(entries).contains("bad")) {
                throw new SQLException("violates check constraint", "23514");
            }
            stored.addAll(entries);
        };
    }

    /** Rejects "bad" into rejected.log in a fresh directory, and closes that spool (the process ends). */
    private Path rejectedOnce(AtomicLong clock) throws Exception {
        Path dir = directory("rejected");
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool first = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, refusingBad(stored));
        for (String key : List.of("a", "bad", "c")) {
            first.append(entry(clock.get(), key), null);
        }
        await(() -> first.counts().entries() == 0, "drained, bad set aside");
        first.close();
        assertThat(keys(stored)).containsExactly("a", "c");
        assertThat(records(dir.resolve("rejected.log"))).isEqualTo(1);
        return dir;
    }

    @Test
    void aRestartTriesRejectedEntriesAgainAndStoresThemOnceTheirCauseIsFixed() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = rejectedOnce(clock);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of(Spool.class)) {
            Spool restarted = spool(dir, clock, stored::addAll);
            await(() -> restarted.counts().entries() == 0, "drained after the restart");
            assertThat(String.join("\n", log.lines())).contains("1 deliveries the database refused before").doesNotContain("\"key\"");
        }
        assertThat(keys(stored)).containsExactly("bad");
        assertThat(dir.resolve("rejected.log")).as("nothing is left to retry").doesNotExist();
    }

    @Test
    void anEntryStillRefusedAtTheNextStartReturnsToRejectedLogOnceAndHoldsNothingBehindIt() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = rejectedOnce(clock);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool restarted = spool(dir, clock, refusingBad(stored));
        restarted.append(entry(clock.get(), "d"), null);
        await(() -> restarted.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("d");
        assertThat(records(dir.resolve("rejected.log"))).as("one copy, not two").isEqualTo(1);
    }

    @Test
    void manyEntriesRefusedAgainAfterTheRestartAreEveryOneKeptInRejectedLog() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = directory("rejected");
        Spool first = new Spool(dir, 64 << 20, Duration.ofHours(1), clock::get, REFUSING_ALL);
        for (int i = 0; i < 300; i++) {
            first.append(entry(clock.get(), "bad-" + i), null);
        }
        await(() -> first.counts().entries() == 0, "every one set aside");
        first.close();
        assertThat(records(dir.resolve("rejected.log"))).isEqualTo(300);
        // The drainer of the restarted spool sets entries aside again while (without care) the start still reads the file.
        Spool restarted = spool(dir, clock, REFUSING_ALL);
        await(() -> restarted.counts().entries() == 0, "every one set aside again");
        assertThat(records(dir.resolve("rejected.log"))).as("none lost, none twice").isEqualTo(300);
    }

    @Test
    void anEntryRefusedDaysAgoAndRetriedAtARestartDuringAnOutageLeavesTheSpoolTakingDeliveries() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = rejectedOnce(clock);
        clock.addAndGet(Duration.ofDays(2).toMillis()); // the age bound is one hour here
        Spool restarted = spool(dir, clock, AWAY);
        assertThat(restarted.counts().entries()).isEqualTo(1);
        assertThat(restarted.append(entry(clock.get(), "fresh"), null)).as("spooled (202), not refused as too old (503)").isEqualTo(1);
        assertThat(restarted.counts().accepting()).isTrue();
    }

    @Test
    void aRejectedLogLargerThanHalfTheSpoolWaitsInPartForALaterStartAndTheSpoolStillTakesDeliveries() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = directory("rejected");
        Spool first = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, REFUSING_ALL);
        for (int i = 0; i < 10; i++) {
            first.append(entry(clock.get(), "big-" + i, new byte[20_000]), null);
        }
        await(() -> first.counts().entries() == 0, "every one set aside");
        first.close();
        // A spool of 100 kB: rejected.log (10 x 20 kB) is twice its size bound.
        Spool restarted = new Spool(dir, 100_000, Duration.ofHours(1), clock::get, AWAY);
        open.add(restarted);
        assertThat(restarted.counts().entries()).as("half the bound's worth").isEqualTo(2);
        assertThat(records(dir.resolve("rejected.log"))).as("the rest waits").isEqualTo(8);
        assertThat(restarted.append(entry(clock.get(), "fresh"), null)).isEqualTo(1);
        restarted.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool later = spool(dir, clock, stored::addAll); // 1 MiB: room for all of it
        await(() -> later.counts().entries() == 0, "drained");
        assertThat(keys(stored)).hasSize(11).contains("fresh", "big-0", "big-9").doesNotHaveDuplicates();
        assertThat(dir.resolve("rejected.log")).doesNotExist();
    }

    /** Attack review: a record larger than half the bound (the journal takes any entry up to the whole bound) was never taken. */
    @Test
    void aRejectedRecordLargerThanHalfTheSpoolIsRetriedAtTheNextStartAndHoldsNothingBehindIt() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = directory("rejected");
        Spool first = new Spool(dir, 100_000, Duration.ofHours(1), clock::get, REFUSING_ALL);
        assertThat(first.append(entry(clock.get(), "big", new byte[60_000]), null)).as("60 kB of a 100 kB bound: acknowledged").isEqualTo(1);
        assertThat(first.append(entry(clock.get(), "small"), null)).isEqualTo(1);
        await(() -> first.counts().entries() == 0, "both set aside");
        first.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        for (int start = 0; start < 2; start++) { // the first start takes "big" alone, the second "small"
            Spool restarted = new Spool(dir, 100_000, Duration.ofHours(1), clock::get, stored::addAll);
            restarted.awaitDrained(Duration.ofSeconds(5));
            restarted.close();
        }
        assertThat(keys(stored)).containsExactly("big", "small");
        assertThat(dir.resolve("rejected.log")).doesNotExist();
    }

    @Test
    void aCrashBetweenTheRequeueAndTheRemovalOfRejectedLogStoresTheEntryOnce() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = rejectedOnce(clock);
        byte[] copy = Files.readAllBytes(dir.resolve("rejected.log"));
        Spool requeued = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, AWAY); // back in the journal, undrained
        assertThat(requeued.counts().entries()).isEqualTo(1);
        requeued.close();
        Files.write(dir.resolve("rejected.log"), copy); // as if the crash came before rejected.log was removed
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        // The drain waits until the count is read: a drainer quicker than the test would otherwise empty it first.
        java.util.concurrent.CountDownLatch counted = new java.util.concurrent.CountDownLatch(1);
        Spool restarted = spool(dir, clock, entries -> {
            try {
                counted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted", "08000", e);
            }
            stored.addAll(entries);
        });
        assertThat(restarted.counts().entries()).as("the copy the journal holds already is not added again").isEqualTo(1);
        counted.countDown();
        await(() -> restarted.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("bad");
    }

    @Test
    void aTornLastRecordOfRejectedLogIsCutAndEveryWholeOneIsRetried() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = rejectedOnce(clock);
        // A crash while a second entry was being set aside: its copy is torn (its entry was still in the journal).
        byte[] whole = Files.readAllBytes(dir.resolve("rejected.log"));
        Files.write(dir.resolve("rejected.log"), java.util.Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.APPEND);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of(Spool.class)) {
            Spool restarted = spool(dir, clock, stored::addAll);
            await(() -> restarted.counts().entries() == 0, "drained");
            assertThat(String.join("\n", log.lines())).contains("rejected.log ended in a torn record");
        }
        assertThat(keys(stored)).containsExactly("bad");
        assertThat(dir.resolve("rejected.log")).doesNotExist();
    }

    @Test
    void aRecordForgedInsideABodyOfRejectedLogIsNeverReadAsAnEntry() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = directory("rejected");
        // A body that holds a whole, checksummed record of its own: a stranger's bytes after a broken header.
        SpoolEntry forged = entry(clock.get(), "forged");
        byte[] payload = forged.encode();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        ByteBuffer record = ByteBuffer.allocate(12 + payload.length);
        record.putInt(0x48475331).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        byte[] garbage = "not a record header".getBytes(StandardCharsets.US_ASCII);
        Files.createDirectories(dir);
        Files.write(dir.resolve("rejected.log"), garbage);
        Files.write(dir.resolve("rejected.log"), record.array(), StandardOpenOption.APPEND);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of(Spool.class)) {
            Spool restarted = spool(dir, clock, stored::addAll);
            assertThat(restarted.counts().entries()).isZero();
            assertThat(String.join("\n", log.lines())).contains("rejected.log ended in a torn record");
        }
        Thread.sleep(100);
        assertThat(stored).isEmpty();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("the unreadable bytes are kept for someone to look at")
                    .anyMatch(name -> name.startsWith("rejected-unreadable-"));
        }
    }

    @Test
    void aDeliveryAConstraintRefusedIsStoredOnceTheConstraintIsDroppedAndTheInstanceRestarts() throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(TestH2.freshFile("rejected-retry"));
        Path dir = directory("spool");
        JdbcInbox before = JdbcInbox.builder(db).spool(dir).build();
        before.initializeSchema();
        try (Connection c = db.real().getConnection(); var s = c.createStatement()) {
            s.execute("alter table hookguard_inbox add constraint no_refunds check (part_key <> 'refund')");
        }
        db.away.set(true);
        assertThat(before.store(delivery("refund"))).as("spooled: 202").isEqualTo(1);
        assertThat(before.store(delivery("order"))).isEqualTo(1);
        db.away.set(false);
        assertThat(before.spool().awaitDrained(Duration.ofSeconds(10))).isTrue();
        before.spool().close();
        assertThat(rows(db.real(), "order")).isEqualTo(1);
        assertThat(rows(db.real(), "refund")).isZero();
        assertThat(dir.resolve("rejected.log")).exists();

        try (Connection c = db.real().getConnection(); var s = c.createStatement()) {
            s.execute("alter table hookguard_inbox drop constraint no_refunds");
        }
        JdbcInbox restarted = JdbcInbox.builder(db).spool(dir).build();
        open.add(restarted.spool());
        assertThat(restarted.spool().awaitDrained(Duration.ofSeconds(10))).isTrue();
        assertThat(rows(db.real(), "refund")).isEqualTo(1);
        assertThat(rows(db.real(), "order")).isEqualTo(1);
        assertThat(dir.resolve("rejected.log")).doesNotExist();
    }

    /** Whole records in a journal-framed file: magic, length, checksum, payload. */
    private static int records(Path file) throws Exception {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        int count = 0;
        while (bytes.remaining() >= 12) {
            bytes.getInt();
            int length = bytes.getInt();
            bytes.getInt();
            bytes.position(bytes.position() + length);
            count++;
        }
        return count;
    }
}
