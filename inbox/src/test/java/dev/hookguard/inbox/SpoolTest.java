package dev.hookguard.inbox;

import static dev.hookguard.inbox.SpoolFixtures.AWAY;
import static dev.hookguard.inbox.SpoolFixtures.await;
import static dev.hookguard.inbox.SpoolFixtures.delivery;
import static dev.hookguard.inbox.SpoolFixtures.directory;
import static dev.hookguard.inbox.SpoolFixtures.entry;
import static dev.hookguard.inbox.SpoolFixtures.keys;
import static dev.hookguard.inbox.SpoolFixtures.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.testsupport.LogCapture;
import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The spool on a real disk: its journal alone (a sink that stands for the database), then inside a JdbcInbox on H2. */
class SpoolTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private Spool spool(Path dir, long maxBytes, Duration maxAge, AtomicLong clock, Spool.Sink sink) throws Exception {
        Spool spool = new Spool(dir, maxBytes, maxAge, clock::get, sink);
        open.add(spool);
        return spool;
    }


    @Test
    void aTornLastEntryIsCutWithOneWarningAndEveryWholeEntryBeforeItIsDrainedInOrder() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        Spool first = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, AWAY);
        for (int i = 1; i <= 5; i++) {
            first.append(entry(clock.get(), "k" + i), null);
        }
        first.close();
        Path segment;
        try (var files = Files.list(dir)) {
            segment = files.filter(p -> p.getFileName().toString().startsWith("spool-")).findFirst().orElseThrow();
        }
        long size = Files.size(segment);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 7); // the crash cut the fifth entry's write
        }
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of(Spool.class)) {
            Spool second = spool(dir, 1 << 20, Duration.ofHours(1), clock, stored::addAll);
            assertThat(second.recovery().entries()).as("whole entries recovered").isEqualTo(4);
            assertThat(second.recovery().cutBytes()).as("the torn entry's bytes, cut").isEqualTo(size / 5 - 7);
            await(() -> stored.size() == 4, "the four whole entries stored");
            assertThat(log.lines().stream().filter(l -> l.startsWith("WARNING") && l.contains("torn entry"))).as("one WARN for the cut").hasSize(1);
            assertThat(log.lines()).noneMatch(l -> l.contains("k5") || l.contains("\"key\""));
        }
        assertThat(keys(stored)).containsExactly("k1", "k2", "k3", "k4");
        await(() -> {
            try {
                return Spool.fileNames(dir).isEmpty();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }, "the drained segment deleted");
    }

    /** A journal of entries k1..kN written by one spool and closed, then damaged on disk; its segment's bytes after. */
    private static byte[] journalDamaged(Path dir, int entries, java.util.function.Consumer<byte[]> damage) throws Exception {
        Spool first = new Spool(dir, 1 << 20, Duration.ofHours(1), () -> 1_000, AWAY);
        for (int i = 1; i <= entries; i++) {
            first.append(entry(1_000, "k" + i), null);
        }
        first.close();
        Path segment = dir.resolve(Spool.fileNames(dir).iterator().next());
        byte[] bytes = Files.readAllBytes(segment);
        damage.accept(bytes);
        Files.write(segment, bytes);
        return bytes;
    }

    @Test
    void aCorruptLastEntryIsCutAndEverythingBeforeItIsKept() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        byte[] bytes = journalDamaged(dir, 3, b -> b[b.length - 3] ^= 0x40); // the third entry's body: its checksum fails
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool second = spool(dir, 1 << 20, Duration.ofHours(1), clock, stored::addAll);
        assertThat(second.recovery().entries()).isEqualTo(2);
        assertThat(second.recovery().cutBytes()).isEqualTo(bytes.length / 3);
        await(() -> stored.size() == 2, "the two whole entries stored");
        assertThat(keys(stored)).containsExactly("k1", "k2");
    }

    @Test
    void corruptEntriesBeforeWholeOnesAreSkippedByTheirLengthKeptAsideAndReportedAndEveryEntryAfterThemIsDrained() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        byte[] bytes = journalDamaged(dir, 4, b -> {
            b[b.length / 8] ^= 0x40; // the first entry's body: its checksum fails
            b[b.length * 3 / 8] ^= 0x40; // and the second's: their headers hold, so where each ends is known
        });
        int entry = bytes.length / 4;
        Path segment = dir.resolve(Spool.fileNames(dir).iterator().next());
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        try (LogCapture log = LogCapture.of(Spool.class)) {
            Spool second = spool(dir, 1 << 20, Duration.ofHours(1), clock, stored::addAll);

            assertThat(second.recovery()).as("k3 and k4 whole; two entries skipped, none cut").isEqualTo(new Spool.Recovery(2, 0, 2L * entry));
            await(() -> stored.size() == 2, "the whole entries after the corrupt ones stored");
            assertThat(log.lines().stream().filter(l -> l.startsWith("SEVERE") && l.contains("corrupt bytes at offset 0")))
                    .as("one ERROR for the corrupt stretch").hasSize(1);
            assertThat(log.lines()).noneMatch(l -> l.contains("\"key\"") || l.contains("form_on_submit"));
        }
        assertThat(keys(stored)).containsExactly("k3", "k4");
        Path aside = dir.resolve("corrupt-" + segment.getFileName() + "-0");
        assertThat(Files.readAllBytes(aside)).as("the corrupt bytes kept for someone to look at").isEqualTo(java.util.Arrays.copyOf(bytes, 2 * entry));
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(aside))).isEqualTo("rw-------");
        }
    }

    @Test
    void aBrokenHeaderIsNeverSearchedPastTheSegmentIsCutThere() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        byte[] bytes = journalDamaged(dir, 4, b -> b[b.length / 4 + 5] ^= 0x01); // the second entry's length: its end unknown
        int entry = bytes.length / 4;
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool second = spool(dir, 1 << 20, Duration.ofHours(1), clock, stored::addAll);

        assertThat(second.recovery()).isEqualTo(new Spool.Recovery(1, 3L * entry, 0));
        await(() -> stored.size() == 1, "the entry before it stored");
        assertThat(keys(stored)).containsExactly("k1");
    }

    @Test
    void aFullSpoolRefusesAndLosesNothingItAcknowledged() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = new Spool(dir, 1_000, Duration.ofHours(1), clock::get, AWAY);
        List<String> acknowledged = new ArrayList<>();
        int refused = 0;
        for (int i = 1; i <= 40; i++) {
            try {
                spool.append(entry(clock.get(), "k" + i), null);
                acknowledged.add("k" + i);
            } catch (Spool.FullException e) {
                refused++;
                assertThat(e.getMessage()).contains("full").doesNotContain("k" + i);
            }
        }
        assertThat(acknowledged).as("some fit").hasSizeBetween(5, 20);
        assertThat(refused).isEqualTo(40 - acknowledged.size());
        assertThat(spool.counts().accepting()).isFalse();
        assertThat(spool.counts().entries()).isEqualTo(acknowledged.size());
        spool.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        spool(dir, 1_000, Duration.ofHours(1), clock, stored::addAll);
        await(() -> stored.size() == acknowledged.size(), "every acknowledged entry stored after a restart");
        assertThat(keys(stored)).isEqualTo(acknowledged);
    }

    @Test
    void aSpoolWhoseOldestEntryIsPastItsAgeRefusesNewOnesAndStillDrainsTheOld() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean away = new AtomicBoolean(true);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, Duration.ofMinutes(10), clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            stored.addAll(entries);
        });
        spool.append(entry(clock.get(), "old"), null);
        clock.addAndGet(Duration.ofMinutes(11).toMillis());
        assertThat(spool.counts().oldestAge()).isEqualTo(Duration.ofMinutes(11));
        assertThat(spool.counts().accepting()).isFalse();
        assertThatThrownBy(() -> spool.append(entry(clock.get(), "new"), null)).isInstanceOf(Spool.FullException.class)
                .hasMessageContaining("waited longer");
        away.set(false);
        await(() -> spool.counts().entries() == 0, "drained once the database is back");
        assertThat(keys(stored)).containsExactly("old");
        spool.append(entry(clock.get(), "new"), null);
        await(() -> stored.size() == 2, "accepting again");
    }

    @Test
    void anEntryTheDatabaseRefusesForGoodIsSetAsideAndTheOthersGoOn() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean away = new AtomicBoolean(true);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, Duration.ofHours(1), clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            if (keys(entries).contains("bad")) {
                throw new SQLException("value too long", "22001");
            }
            stored.addAll(entries);
        });
        for (String key : List.of("a", "bad", "c")) {
            spool.append(entry(clock.get(), key), null);
        }
        away.set(false);
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("a", "c");
        assertThat(dir.resolve("rejected.log")).exists();
        assertThat(Files.readString(dir.resolve("rejected.log"), StandardCharsets.ISO_8859_1)).contains("bad");
    }

    @Test
    void aDeliveryReplayedWhileTheDatabaseIsAwayIsADuplicateOfTheSpoolAndCannotFillIt() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = spool(dir, 4_000, Duration.ofHours(1), clock, AWAY);
        assertThat(spool.append(entry(clock.get(), "one"), null)).isEqualTo(1);
        long bytes = spool.counts().bytes();
        for (int i = 0; i < 1_000; i++) {
            assertThat(spool.append(entry(clock.get(), "one"), null)).as("a replay: nothing new").isZero();
        }
        assertThat(spool.counts().bytes()).as("the journal did not grow").isEqualTo(bytes);
        SpoolEntry both = new SpoolEntry(clock.get(), "mautic", "", "", List.of(entry(0, "one").parts().get(0), entry(0, "two").parts().get(0)));
        assertThat(spool.append(both, null)).as("only the new part of a batch").isEqualTo(1);
        spool.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool again = spool(dir, 4_000, Duration.ofHours(1), clock, stored::addAll);
        await(() -> again.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("one", "two");
    }

    @Test
    void anEntryReadsBackAsItWasWrittenLoneSurrogatesIncluded() {
        // A part's key never holds a lone surrogate (InboxDelivery.Part refuses one); a tenant and the headers may.
        String key = "mautic:form_on_submit:ünï-" + "k".repeat(300) + "\uD83D\uDE00";
        SpoolEntry written = new SpoolEntry(42, "mautic", "tenant:\uDC00:", "User-Agent: x\n",
                List.of(new InboxDelivery.Part(key, "mautic.form_on_submit", new byte[] {0, 1, 2, (byte) 0xFF})));
        SpoolEntry read = SpoolEntry.decode(java.nio.ByteBuffer.wrap(written.encode()));
        assertThat(read.parts().get(0).key()).as("the key, code unit for code unit").isEqualTo(key);
        assertThat(read.tenant()).isEqualTo("tenant:\uDC00:");
        assertThat(read.parts().get(0).body()).containsExactly(0, 1, 2, 0xFF);
        assertThat(read.spooledAt()).isEqualTo(42);
    }

    @Test
    void anEntryWrittenBeforeItsFlagsByteReadsBackWholeAsOneTheDatabaseMayHold() {
        SpoolEntry written = new SpoolEntry(42, "mautic", "", "User-Agent: x\n",
                List.of(new InboxDelivery.Part("k", "mautic.form_on_submit", new byte[] {1, 2})), false);
        byte[] now = written.encode();
        assertThat(SpoolEntry.decode(java.nio.ByteBuffer.wrap(now)).mayBeStored()).isFalse();
        SpoolEntry before = SpoolEntry.decode(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(now, now.length - 1)));
        assertThat(before.mayBeStored()).as("no flags: as the drain always treated it").isTrue();
        assertThat(before.parts().get(0).key()).isEqualTo("k");
        assertThat(before.parts().get(0).body()).containsExactly(1, 2);
    }

    /**
     * Attack review: an entry an earlier release spooled under a key no column holds (a lone surrogate, before keys were
     * made storable) was read back as corrupt, and cut from the journal when it was the last one.
     */
    @Test
    void anEntryAnEarlierReleaseSpooledUnderAKeyNoColumnHoldsIsDrainedNotCut() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        Spool earlier = spool(dir, 1 << 20, Duration.ofHours(1), clock, AWAY);
        for (String key : List.of("k2", "k3", "malcolm:s\uD800")) {
            earlier.append(entry(clock.get(), key), null);
        }
        earlier.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool upgraded = spool(dir, 1 << 20, Duration.ofHours(1), clock, stored::addAll);
        await(() -> upgraded.counts().entries() == 0, "drained");
        assertThat(upgraded.recovery().cutBytes()).isZero();
        assertThat(keys(stored)).containsExactly("k2", "k3", "malcolm:s\uD800");
    }

    @Test
    void afterAFailedSyncTheSpoolRefusesEverythingUntilARestartAndSaysItIsNotAccepting() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean failing = new AtomicBoolean();
        Spool spool = new Spool(dir, 1 << 20, Duration.ofHours(1), clock::get, AWAY, file -> {
            if (failing.get()) {
                throw new java.io.IOException("EIO");
            }
            file.getFD().sync();
        });
        open.add(spool);
        spool.append(entry(clock.get(), "before"), null);
        failing.set(true);
        assertThatThrownBy(() -> spool.append(entry(clock.get(), "lost-sync"), null)).isInstanceOf(java.io.IOException.class);
        failing.set(false); // the disk seems fine again: a later sync would succeed, over pages the kernel may have dropped
        assertThatThrownBy(() -> spool.append(entry(clock.get(), "after"), null)).as("refused for good").isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("until a restart");
        assertThat(spool.counts().accepting()).isFalse();
    }

    @Test
    void theJournalsFilesAreTheApplicationsAlone() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path dir = directory("spool"); // exists already, as a mounted volume would
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = spool(dir, 1 << 20, Duration.ofHours(1), clock, AWAY);
        spool.append(entry(clock.get(), "k"), null);
        for (String name : Spool.fileNames(dir)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name)))).as(name).isEqualTo("rw-------");
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("spool.lock")))).isEqualTo("rw-------");
        Path fresh = dir.resolve("made-by-the-spool");
        spool(fresh, 1 << 20, Duration.ofHours(1), clock, AWAY);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rwx------");
    }

    @Test
    void aSecondSpoolOnTheSameDirectoryIsRefused() throws Exception {
        Path dir = directory("spool");
        spool(dir, 1 << 20, Duration.ofHours(1), new AtomicLong(), AWAY);
        assertThatThrownBy(() -> new Spool(dir, 1 << 20, Duration.ofHours(1), () -> 0, AWAY))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("each instance needs a directory of its own");
    }

    @Test
    void concurrentAppendsAllReturnDurableAndInTheJournal() throws Exception {
        Path dir = directory("spool");
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = new Spool(dir, 64 << 20, Duration.ofHours(1), clock::get, AWAY);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    try {
                        spool.append(entry(clock.get(), thread + "-" + i), null);
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        spool.close();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool again = spool(dir, 64 << 20, Duration.ofHours(1), clock, stored::addAll);
        assertThat(again.recovery()).isEqualTo(new Spool.Recovery(1_600, 0, 0));
        await(() -> stored.size() == 1_600, "all drained");
        assertThat(keys(stored)).doesNotHaveDuplicates().hasSize(1_600);
        for (int t = 0; t < 8; t++) {
            String prefix = t + "-";
            List<String> own = keys(stored).stream().filter(k -> k.startsWith(prefix)).toList();
            assertThat(own).as("each thread's entries in the order it wrote them")
                    .isEqualTo(java.util.stream.IntStream.range(0, 200).mapToObj(i -> prefix + i).toList());
        }
    }

    // ---- inside the inbox ----

    @Test
    void whileTheDatabaseIsAwayTheInboxSpoolsThenStoresEachPartOnceInOrderAndNewDeliveriesQueueBehind() throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(TestH2.freshFile("spool-inbox"));
        Path dir = directory("spool");
        JdbcInbox inbox = JdbcInbox.builder(db).spool(dir).build();
        open.add(inbox.spool());
        inbox.initializeSchema();
        assertThat(inbox.store(delivery("before"))).isEqualTo(1);
        db.away.set(true);
        try (LogCapture log = LogCapture.of(Spool.class)) {
            assertThat(inbox.store(delivery("during-1", "during-2"))).as("spooled: both parts count as new (202)").isEqualTo(2);
            assertThat(inbox.store(delivery("before"))).as("a duplicate cannot be known while the database is away").isEqualTo(1);
            assertThat(inbox.store(delivery("during-3"))).isEqualTo(1);
            assertThat(log.lines().stream().filter(l -> l.startsWith("WARNING") && l.contains("spooled in"))).as("one WARN per outage").hasSize(1);
            assertThat(inbox.spoolCounts().orElseThrow().entries()).isEqualTo(3);
            assertThat(String.join("\n", log.lines())).doesNotContain("secret-ish");
        }
        assertThat(String.join("", Spool.fileNames(dir).stream().map(n -> {
            try {
                return Files.readString(dir.resolve(n), StandardCharsets.ISO_8859_1);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }).toList())).as("the signature is never spooled").doesNotContain("secret-ish").doesNotContain("Webhook-Signature");
        db.away.set(false);
        inbox.spool().awaitDrained(Duration.ofSeconds(10));
        for (String key : List.of("before", "during-1", "during-2", "during-3")) {
            assertThat(rows(db.real(), key)).as(key + " stored once").isEqualTo(1);
        }
        assertThat(inbox.spoolCounts().orElseThrow().entries()).isZero();
        assertThat(Spool.fileNames(dir)).as("the journal is empty once everything is committed").isEmpty();
        assertThat(inbox.store(delivery("after"))).isEqualTo(1);
        assertThat(inbox.store(delivery("after"))).as("with the database back, duplicates are known again").isZero();
    }

    @Test
    void aSpooledRedeliveryOfARowThatDiedMakesItPendingAgainAsOneWithTheDatabaseUpDoes() throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(TestH2.freshFile("spool-dead"));
        JdbcInbox inbox = JdbcInbox.builder(db).spool(directory("spool")).build();
        open.add(inbox.spool());
        inbox.initializeSchema();
        inbox.store(delivery("died"));
        try (Connection c = db.real().getConnection(); var s = c.createStatement()) {
            s.executeUpdate("update hookguard_inbox set state = 'DEAD' where part_key = 'died'");
        }
        db.away.set(true);
        inbox.store(delivery("died", "fresh"));
        db.away.set(false);
        inbox.spool().awaitDrained(Duration.ofSeconds(10));
        assertThat(inbox.show("died").orElseThrow().state()).isEqualTo(JdbcInbox.State.PENDING);
        assertThat(rows(db.real(), "died")).isEqualTo(1);
        assertThat(rows(db.real(), "fresh")).isEqualTo(1);
    }

    @Test
    void anInstanceStartedWhileTheDatabaseIsAwayAcceptsIntoItsSpoolAndDrainsWhatAnEarlierRunLeft() throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(TestH2.freshFile("spool-restart"));
        Path dir = directory("spool");
        JdbcInbox before = JdbcInbox.builder(db).spool(dir).build();
        before.initializeSchema();
        db.away.set(true);
        before.store(delivery("left-1"));
        before.store(delivery("left-2"));
        before.spool().close(); // the process ends; its journal stays
        JdbcInbox restarted = JdbcInbox.builder(db).spool(dir).build(); // the database is still away
        open.add(restarted.spool());
        assertThat(restarted.spoolCounts().orElseThrow().entries()).isEqualTo(2);
        assertThat(restarted.store(delivery("new"))).isEqualTo(1);
        db.away.set(false);
        restarted.spool().awaitDrained(Duration.ofSeconds(10));
        for (String key : List.of("left-1", "left-2", "new")) {
            assertThat(rows(db.real(), key)).as(key).isEqualTo(1);
        }
    }

    @Test
    void withoutASpoolARefusalIsTheCallersAndNothingIsWritten() throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(TestH2.freshFile("spool-none"));
        JdbcInbox inbox = JdbcInbox.builder(db).build();
        inbox.initializeSchema();
        db.away.set(true);
        assertThatThrownBy(() -> inbox.store(delivery("x"))).isInstanceOf(SQLException.class);
        assertThat(inbox.spoolCounts()).isEmpty();
    }
}
