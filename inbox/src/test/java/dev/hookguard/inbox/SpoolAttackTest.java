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

import dev.hookguard.delivery.Headers;
import dev.hookguard.delivery.spi.InboxDelivery;
import dev.hookguard.delivery.spi.StoredHandler;
import dev.hookguard.signature.SignatureScheme;
import dev.hookguard.testsupport.LogCapture;
import dev.hookguard.testsupport.SwitchableDataSource;
import dev.hookguard.testsupport.TestH2;
import dev.hookguard.testsupport.TestPostgres;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Attacks on the spool's promise: a delivery it acknowledged is on disk before the answer, is never lost, and ends in
 * the inbox exactly once per part key; nothing it did not hold is acknowledged; no payload in a log line or message.
 */
class SpoolAttackTest {

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    // ---- helpers ----

    private Spool spool(Path dir, long maxBytes, AtomicLong clock, Spool.Sink sink) throws Exception {
        Spool spool = new Spool(dir, maxBytes, Duration.ofHours(1), clock::get, sink);
        open.add(spool);
        return spool;
    }


    private static Object field(Object target, String name) throws Exception {
        Field f = target.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    private static long longField(Object target, String name) throws Exception {
        return ((Number) field(target, name)).longValue();
    }

    private static Object currentSegment(Spool spool) throws Exception {
        Object segments = field(spool, "segments");
        synchronized (field(spool, "lock")) {
            return ((java.util.ArrayDeque<?>) segments).peekLast();
        }
    }

    /** A call on a thread of its own, to watch where it waits. */
    private static final class Attempt<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        final Thread thread;

        Attempt(Callable<T> call) {
            thread = new Thread(() -> {
                try {
                    result.complete(call.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            thread.setDaemon(true); // a deadlocked one must not keep the test JVM alive
            thread.start();
        }

        boolean waitsIn(String method) {
            return thread.getState() == Thread.State.BLOCKED
                    && java.util.Arrays.stream(thread.getStackTrace()).anyMatch(f -> f.getClassName().equals(Spool.class.getName()) && f.getMethodName().equals(method));
        }
    }

    /** One journal record, as the spool writes it. */
    private static byte[] record(SpoolEntry entry) {
        byte[] payload = entry.encode();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(Spool.HEADER_BYTES + payload.length).putInt(Spool.MAGIC).putInt(payload.length).putInt((int) crc.getValue())
                .put(payload).array();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] header(int magic, int length, int crc) {
        return ByteBuffer.allocate(Spool.HEADER_BYTES).putInt(magic).putInt(length).putInt(crc).array();
    }

    // ---- group commit and duplicates ----

    /**
     * A duplicate of a part that another request has written but not yet forced must not be answered before that
     * entry is on disk: the duplicate's 2xx (a sender's retry racing its first try) would acknowledge what a crash can
     * still lose.
     */
    @Test
    void aDuplicateIsNotAnsweredBeforeTheEntryHoldingItsKeyIsForced() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = spool(directory("spool-attack"), 1 << 20, clock, AWAY);
        Object forceLock = field(spool, "forceLock");
        Attempt<Integer> first;
        Attempt<Integer> retry;
        synchronized (forceLock) { // the disk is slow: no force completes for now
            first = new Attempt<>(() -> spool.append(entry(clock.get(), "k"), null));
            await(() -> first.waitsIn("force"), "the first try written, waiting for its force");
            retry = new Attempt<>(() -> spool.append(entry(clock.get(), "k"), null));
            await(() -> retry.result.isDone() || retry.waitsIn("force"), "the retry answered, or waiting for the force");
            assertThat(retry.result).as("the retry's answer waits until the entry holding its key is forced").isNotDone();
        }
        assertThat(first.result.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(retry.result.get(10, TimeUnit.SECONDS)).as("a duplicate, once the entry is on disk").isZero();
    }

    /**
     * Two requests carrying one part race (a sender's retry while its first try is still being encoded): the loser
     * tries again with what is still new. It did so by calling itself inside the spool's lock, so it waited for a
     * force while holding the lock that a force in progress needs next: every other request stalled behind the disk,
     * and a deadlock when that force was another request's.
     */
    @Test
    void aRequestThatLostARaceForAPartNeverWaitsForAForceWhileHoldingTheSpoolsLock() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        // Closed at the end only: close() would hang on a deadlocked spool, and the test must fail, not hang.
        Spool spool = new Spool(directory("spool-attack"), 256L << 20, Duration.ofHours(1), clock::get, AWAY);
        Object forceLock = field(spool, "forceLock");
        SpoolEntry big = new SpoolEntry(clock.get(), "mautic", "", "", List.of(new InboxDelivery.Part("k", "t", new byte[48 << 20]),
                new InboxDelivery.Part("m", "t", new byte[1])));
        Attempt<Integer> loser;
        Attempt<Integer> winner;
        synchronized (forceLock) { // the disk is slow
            loser = new Attempt<>(() -> spool.append(big, null));
            await(() -> java.util.Arrays.stream(loser.thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("encode")),
                    "the loser past its first look at the keys, encoding");
            winner = new Attempt<>(() -> spool.append(entry(clock.get(), "k"), null));
            await(() -> winner.waitsIn("force"), "the winner wrote k and waits for its force");
            await(() -> loser.waitsIn("force") || loser.result.isDone(), "the loser tried again, and waits for a force");
            CompletableFuture<SpoolCounts> counts = CompletableFuture.supplyAsync(spool::counts);
            assertThat(counts).as("the spool's lock is free while a request waits for the disk")
                    .succeedsWithin(Duration.ofSeconds(5));
        }
        assertThat(winner.result).as("no deadlock").succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1);
        assertThat(loser.result).as("no deadlock").succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1);
        assertThat(spool.counts().entries()).isEqualTo(2);
        spool.close();
    }

    // ---- interrupts: a FileChannel is closed, for every thread, by an interrupt of any one of them ----

    /** A request thread interrupted (a container stopping, a cancelled future) must not close the journal for everyone. */
    @Test
    void anInterruptedRequestThreadDoesNotCloseTheJournalForEveryoneElse() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Path dir = directory("spool-attack");
        AtomicBoolean away = new AtomicBoolean(true);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            stored.addAll(entries);
        });
        List<String> acknowledged = new ArrayList<>();
        spool.append(entry(clock.get(), "before"), null);
        acknowledged.add("before");
        Attempt<Integer> interrupted = new Attempt<>(() -> {
            Thread.currentThread().interrupt();
            try {
                return spool.append(entry(clock.get(), "interrupted"), null);
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            }
        });
        try {
            if (interrupted.result.get(10, TimeUnit.SECONDS) == 1) {
                acknowledged.add("interrupted");
            }
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IOException.class); // refused: not acknowledged, acceptable
        }
        assertThat(spool.append(entry(clock.get(), "after"), null)).as("the next request is still spooled").isEqualTo(1);
        acknowledged.add("after");
        away.set(false);
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactlyElementsOf(acknowledged);
    }

    /**
     * An interrupt that arrives between the write and the force (here: from a log handler on the outage's WARN, which is
     * written in between) must neither let the append return unforced (a ClosedByInterruptException is a
     * ClosedChannelException, which the force took for "deleted: drained") nor wedge the spool.
     */
    @Test
    void anInterruptBetweenTheWriteAndTheForceIsNeverAnAcknowledgementWithoutTheForce() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = spool(directory("spool-attack"), 1 << 20, clock, AWAY);
        Logger logger = Logger.getLogger(Spool.class.getName());
        Handler interrupter = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (String.valueOf(record.getMessage()).contains("spooled in")) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(interrupter);
        int answer;
        try {
            answer = spool.append(entry(clock.get(), "k1"), null);
        } catch (IOException refused) {
            answer = -1; // refused is honest
        } finally {
            Thread.interrupted();
            logger.removeHandler(interrupter);
        }
        if (answer == 1) {
            Object segment = currentSegment(spool);
            assertThat(longField(segment, "forced")).as("an acknowledged entry was forced").isGreaterThanOrEqualTo(longField(segment, "written"));
        }
        assertThat(spool.append(entry(clock.get(), "k2"), null)).as("the spool still takes deliveries").isEqualTo(1);
    }

    // ---- the drainer: concurrent appends, rotation, deletion of the current segment ----

    /**
     * Appenders racing a drainer that empties and deletes the current segment over and over: every acknowledged entry
     * is stored exactly once (no crash here, so no repeat either), each thread's in its order, and no file is left.
     */
    @Test
    void appendsRacingADrainerThatDeletesTheCurrentSegmentLoseNothing() throws Exception {
        Path dir = directory("spool-attack");
        AtomicLong clock = new AtomicLong(1_000);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Spool spool = spool(dir, 64 << 20, clock, entries -> {
            if (calls.incrementAndGet() % 5 == 0) {
                AWAY.store(entries); // now and then the database blinks
            }
            stored.addAll(entries);
        });
        int threads = 6;
        int each = 150;
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        assertThat(spool.append(entry(clock.get(), thread + "-" + i), null)).isEqualTo(1);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).hasSize(threads * each).doesNotHaveDuplicates();
        for (int t = 0; t < threads; t++) {
            String prefix = t + "-";
            assertThat(keys(stored).stream().filter(k -> k.startsWith(prefix)).toList())
                    .isEqualTo(IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
        }
        assertThat(Spool.fileNames(dir)).isEmpty();
        assertThat(spool.counts().bytes()).isZero();
    }

    /** Writers crossing the 16 MiB rotation while the drainer stores and deletes the older segments. */
    @Test
    void concurrentWritersAcrossSegmentRotationWithADrainerRunning() throws Exception {
        Path dir = directory("spool-attack");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean away = new AtomicBoolean(true);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 256L << 20, clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            stored.addAll(entries);
        });
        byte[] body = new byte[48 << 10];
        int threads = 4;
        int each = 110; // 4 * 110 * 48 KiB: about 21 MiB, two segments
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicInteger written = new AtomicInteger();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            writers.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    try {
                        spool.append(entry(clock.get(), thread + "-" + i, body), null);
                        if (written.incrementAndGet() == threads * each / 2) {
                            away.set(false); // the drain starts halfway, while the writers go on
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(failures).isEmpty();
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).hasSize(threads * each).doesNotHaveDuplicates();
        for (int t = 0; t < threads; t++) {
            String prefix = t + "-";
            assertThat(keys(stored).stream().filter(k -> k.startsWith(prefix)).toList())
                    .isEqualTo(IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
        }
        assertThat(Spool.fileNames(dir)).isEmpty();
    }

    /** close() while appends and a drain are in flight: whatever was acknowledged is stored, now or after the restart. */
    @Test
    void closeWhileAppendsAndADrainAreInFlightLosesNothingAcknowledged() throws Exception {
        Path dir = directory("spool-attack");
        AtomicLong clock = new AtomicLong(1_000);
        Map<String, Integer> stored = new ConcurrentHashMap<>();
        Spool.Sink slow = entries -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLTransientConnectionException("interrupted", "08006");
            }
            keys(entries).forEach(k -> stored.merge(k, 1, Integer::sum));
        };
        Spool spool = new Spool(dir, 64 << 20, Duration.ofHours(1), clock::get, slow);
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            writers.add(new Thread(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        if (spool.append(entry(clock.get(), thread + "-" + i), null) == 1) {
                            acknowledged.add(thread + "-" + i);
                        }
                    } catch (IOException e) {
                        assertThat(e.getMessage()).doesNotContain(thread + "-" + i);
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        await(() -> acknowledged.size() > 300, "appending");
        spool.close();
        stop.set(true);
        for (Thread t : writers) {
            t.join();
        }
        Spool again = spool(dir, 64 << 20, clock, slow);
        await(() -> again.counts().entries() == 0, "the restart drains the rest");
        assertThat(stored.keySet()).containsAll(acknowledged);
    }

    // ---- the drainer's poison handling ----

    /** An entry refused for good, which cannot be kept in rejected.log either, must not vanish. */
    @Test
    void anEntryRefusedForGoodThatCannotBeKeptAsideIsNotDropped() throws Exception {
        Path dir = directory("spool-attack");
        Files.createDirectories(dir.resolve("rejected.log")); // rejected.log cannot be written (as on a full disk)
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean away = new AtomicBoolean(true);
        AtomicInteger badTries = new AtomicInteger();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            if (keys(entries).contains("bad")) {
                if (entries.size() == 1) {
                    badTries.incrementAndGet();
                }
                throw new SQLException("value too long", "22001");
            }
            stored.addAll(entries);
        });
        for (String key : List.of("a", "bad", "c")) {
            spool.append(entry(clock.get(), key), null);
        }
        try (LogCapture log = LogCapture.of(Spool.class)) {
            away.set(false);
            await(() -> badTries.get() >= 3 || spool.counts().entries() == 0, "the bad entry tried alone, again and again");
            assertThat(spool.counts().entries()).as("the bad entry (and what follows it) still waits in the journal").isEqualTo(2);
            assertThat(log.lines().stream().filter(l -> l.startsWith("SEVERE") && l.contains("could not keep"))).as("said once").hasSize(1);
        }
        Files.delete(dir.resolve("rejected.log"));
        await(() -> spool.counts().entries() == 0, "kept aside once it can be");
        assertThat(keys(stored)).containsExactly("a", "c");
        assertThat(Files.readString(dir.resolve("rejected.log"), StandardCharsets.ISO_8859_1)).contains("bad");
    }

    /** A transient failure (connection class, a null state, a cause attached) is retried, never set aside. */
    @Test
    void transientFailuresWithCausesAreRetriedNeverSetAside() throws Exception {
        Path dir = directory("spool-attack");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicInteger calls = new AtomicInteger();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, clock, entries -> {
            switch (calls.incrementAndGet()) {
                case 1 -> throw new SQLException("gone", "08006", new IOException("socket closed"));
                case 2 -> throw new SQLException("no state", (String) null, new java.net.SocketTimeoutException("read timed out"));
                case 3 -> throw new java.sql.BatchUpdateException("batch", "40001", new int[0]);
                case 4 -> throw new IllegalStateException("a pool's own failure");
                default -> stored.addAll(entries);
            }
        });
        spool.append(entry(clock.get(), "a"), null);
        spool.append(entry(clock.get(), "b"), null);
        await(() -> spool.counts().entries() == 0, "drained once the database answers");
        assertThat(keys(stored)).containsExactly("a", "b");
        assertThat(dir.resolve("rejected.log")).doesNotExist();
    }

    /**
     * An Error out of the driver (a class it cannot load, memory short for a moment) must not end the drain for good: the
     * drainer thread died with its field still set, so no drainer ever started again and nothing was stored until a
     * restart, while every new delivery joined the journal behind it.
     */
    @Test
    void anErrorFromTheDriverDoesNotEndTheDrainForGood() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        AtomicInteger calls = new AtomicInteger();
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(directory("spool-attack"), 1 << 20, clock, entries -> {
            if (calls.incrementAndGet() == 1) {
                throw new NoClassDefFoundError("org/postgresql/core/SomeClass");
            }
            stored.addAll(entries);
        });
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> { }); // the current code's dying drainer would print its trace
        try {
            spool.append(entry(clock.get(), "a"), null);
            await(() -> calls.get() >= 1, "the first drain");
            spool.append(entry(clock.get(), "b"), null);
            await(() -> spool.counts().entries() == 0, "drained after the error");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertThat(keys(stored)).containsExactly("a", "b");
    }

    /** Neither a log line nor an exception message quotes a key, body or header value, whatever the driver says. */
    @Test
    void noPayloadValueInALogLineOrAMessage() throws Exception {
        Path dir = directory("spool-attack");
        AtomicLong clock = new AtomicLong(1_000);
        AtomicInteger calls = new AtomicInteger();
        String secret = "SECRET-VALUE-42";
        Spool spool = spool(dir, 2_000, clock, entries -> {
            if (calls.incrementAndGet() < 3) {
                throw new SQLException("could not send " + secret, "08006");
            }
            if (keys(entries).stream().anyMatch(k -> k.contains("bad"))) {
                throw new SQLException("value too long for type character varying(64): " + secret, "22001");
            }
        });
        try (LogCapture log = LogCapture.of(Spool.class)) {
            spool.append(entry(clock.get(), "bad-" + secret, secret.getBytes(StandardCharsets.UTF_8)), null);
            assertThatThrownBy(() -> spool.append(entry(clock.get(), "big-" + secret, new byte[4_000]), null))
                    .isInstanceOf(Spool.FullException.class).message().doesNotContain(secret);
            await(() -> spool.counts().entries() == 0, "drained");
            assertThat(log.lines()).isNotEmpty().noneMatch(l -> l.contains(secret));
        }
    }

    // ---- recovery ----

    /** A sender's bytes are never mined for entries: a torn last entry whose body holds a whole record is cut whole. */
    @Test
    void aTornEntryWhoseBodyHoldsAWholeRecordIsCutNotReadAsAnEntry() throws Exception {
        Path dir = directory("spool-attack");
        byte[] forged = record(entry(1, "forged"));
        Files.write(dir.resolve("spool-000000000001.log"), concat(record(entry(1, "e1")),
                header(Spool.MAGIC, forged.length + 100, 0), forged)); // the write was torn 100 bytes short
        AtomicLong clock = new AtomicLong(1_000);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, clock, stored::addAll);

        assertThat(spool.recovery()).isEqualTo(new Spool.Recovery(1, Spool.HEADER_BYTES + forged.length, 0));
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("e1");
    }

    /**
     * Empty files, a partial header, a broken header with a whole entry after it (cut: what follows a broken header is
     * never searched), absurd lengths, files that are not segments.
     */
    @Test
    void recoveryOfOddFilesKeepsEveryWholeEntryAndTouchesNothingElse() throws Exception {
        Path dir = directory("spool-attack");
        Files.write(dir.resolve("spool-000000000001.log"), concat(record(entry(1, "e1")), record(entry(1, "e2")),
                header(Spool.MAGIC, Integer.MAX_VALUE, 0), record(entry(1, "after-the-tear"))));
        Files.write(dir.resolve("spool-000000000002.log"), new byte[0]);
        Files.write(dir.resolve("spool-000000000003.log"), new byte[7]);
        Files.write(dir.resolve("spool-000000000004.log"), concat(record(entry(1, "e4")), record(entry(1, "e5"))));
        Files.write(dir.resolve("spool-000000000005.log"), concat(record(entry(1, "e6")), header(Spool.MAGIC, -5, 0), new byte[20]));
        byte[] other = "not a segment".getBytes(StandardCharsets.UTF_8);
        List<String> others = List.of("spool-1.log", "spool-000000000007.log.bak", "notes.txt");
        for (String name : others) {
            Files.write(dir.resolve(name), other);
        }
        Files.write(dir.resolve(Spool.REJECTED), other); // read at start: what is not a record is kept aside as it is
        AtomicLong clock = new AtomicLong(1_000);
        AtomicBoolean away = new AtomicBoolean(true);
        List<SpoolEntry> stored = new CopyOnWriteArrayList<>();
        Spool spool = spool(dir, 1 << 20, clock, entries -> {
            if (away.get()) {
                AWAY.store(entries);
            }
            stored.addAll(entries);
        });
        assertThat(spool.recovery().entries()).isEqualTo(5);
        assertThat(spool.recovery().corruptBytes()).as("a broken header is never searched past").isZero();
        assertThat(Spool.fileNames(dir)).containsExactlyInAnyOrder("spool-000000000001.log", "spool-000000000004.log", "spool-000000000005.log");
        assertThat(spool.append(entry(clock.get(), "new"), null)).isEqualTo(1);
        away.set(false);
        await(() -> spool.counts().entries() == 0, "drained");
        assertThat(keys(stored)).containsExactly("e1", "e2", "e4", "e5", "e6", "new");
        for (String name : others) {
            assertThat(Files.readAllBytes(dir.resolve(name))).as(name + " untouched").isEqualTo(other);
        }
        try (var files = Files.list(dir)) {
            Path aside = files.filter(p -> p.getFileName().toString().startsWith("rejected-unreadable-")).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(aside)).as("an unreadable rejected.log, kept byte for byte").isEqualTo(other);
        }
        assertThat(Spool.fileNames(dir)).isEmpty();
    }

    /** A spool that fails to open (here a segment it cannot read) does not keep its directory locked in this process. */
    @Test
    void aSpoolThatFailsToOpenReleasesItsDirectory() throws Exception {
        Path dir = directory("spool-attack");
        Path odd = Files.createDirectories(dir.resolve("spool-000000000001.log"));
        assertThatThrownBy(() -> new Spool(dir, 1 << 20, Duration.ofHours(1), () -> 0, AWAY)).isInstanceOf(IOException.class);
        Files.delete(odd);
        spool(dir, 1 << 20, new AtomicLong(), AWAY); // the operator fixed the directory: the same process opens it
    }

    // ---- bounds ----

    /** One delivery larger than the whole spool is refused, and says nothing about the spool taking the others. */
    @Test
    void aDeliveryLargerThanTheWholeSpoolDoesNotMarkItNotAccepting() throws Exception {
        AtomicLong clock = new AtomicLong(1_000);
        Spool spool = spool(directory("spool-attack"), 2_000, clock, AWAY);
        assertThatThrownBy(() -> spool.append(entry(clock.get(), "huge", new byte[5_000]), null)).isInstanceOf(Spool.FullException.class);
        assertThat(spool.append(entry(clock.get(), "small"), null)).isEqualTo(1);
        assertThat(spool.counts().accepting()).as("it takes deliveries: health must say so").isTrue();
    }

    // ---- inside the inbox ----

    enum Database {
        H2_FILE, POSTGRESQL;

        DataSource dataSource() {
            return this == POSTGRESQL ? TestPostgres.dataSource(TestPostgres.newDatabase()) : TestH2.freshFile("spool-attack");
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); var s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /**
     * The drain on each database: parts repeated inside one entry (one PostgreSQL batch), keys the table holds (done,
     * dead), long keys stored in their digest form, a key spooled twice across entries: each stored once; the dead one
     * made pending again, as a redelivery with the database up makes it.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void theDrainStoresEachPartOnceOnEachDatabase(Database database) throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(database.dataSource());
        JdbcInbox inbox = JdbcInbox.builder(db).spool(directory("spool-attack")).build();
        open.add(inbox.spool());
        inbox.initializeSchema();
        String unicode = "mautic:x:ünï-\uD83D\uDE00"; // accents and a character outside the BMP: the same key through both paths
        inbox.store(delivery("done-k", "dead-k", unicode));
        execute(db.real(), "update hookguard_inbox set state = 'DONE' where part_key = 'done-k'");
        execute(db.real(), "update hookguard_inbox set state = 'DEAD' where part_key = 'dead-k'");
        String longKey = "mautic:long:" + "x".repeat(400);
        db.away.set(true);
        assertThat(inbox.store(delivery("dup", "dup", "done-k", "dead-k", longKey, longKey, unicode))).isPositive();
        assertThat(inbox.store(delivery("dup", "fresh"))).as("only fresh is new to the spool").isEqualTo(1);
        db.away.set(false);
        assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(20))).isTrue();
        for (String key : List.of("dup", "done-k", "dead-k", longKey, "fresh", unicode)) {
            assertThat(rows(db.real(), key)).as(key.length() > 20 ? "the long key" : key).isEqualTo(1);
        }
        assertThat(inbox.show("dead-k").orElseThrow().state()).isEqualTo(JdbcInbox.State.PENDING);
        assertThat(inbox.show("done-k").orElseThrow().state()).isEqualTo(JdbcInbox.State.DONE);
        assertThat(inbox.show(longKey).orElseThrow().key()).startsWith("sha256:");
    }

    /**
     * H2 loses rows committed while an ALTER TABLE copies the table, and the drainer starts as soon as the journal holds
     * anything (in the constructor after a restart, before the initializeSchema() an application calls next): a drain
     * batch and a migration must never overlap, or the batch is committed, its journal deleted, and its rows gone.
     * Here the drainer's commit is held open while initializeSchema() has a migration to run (the table's last V2
     * column dropped): no DDL may reach the database until the batch is over.
     */
    @Test
    void aMigrationNeverRunsWhileADrainBatchIsOpen() throws Exception {
        DataSource real = TestH2.freshFile("spool-attack-ddl");
        JdbcInbox.builder(real).build().initializeSchema();
        execute(real, "drop index if exists hookguard_inbox_listing");
        execute(real, "drop index if exists hookguard_inbox_id");
        execute(real, "alter table hookguard_inbox drop column id"); // schema version 1 to the inbox: V2 runs again
        AtomicBoolean away = new AtomicBoolean(true);
        AtomicBoolean drainOpen = new AtomicBoolean();
        java.util.concurrent.CountDownLatch inCommit = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        List<String> ddlDuringDrain = new CopyOnWriteArrayList<>();
        DataSource dataSource = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && away.get()) {
                throw new SQLTransientConnectionException("Connection refused", "08001");
            }
            Object result = invoke(method, real, args);
            if (!(result instanceof Connection connection)) {
                return result;
            }
            boolean drainer = Thread.currentThread().getName().startsWith("hookguard-spool");
            return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (drainer && m.getName().equals("prepareStatement")) {
                    drainOpen.set(true);
                }
                if (drainer && m.getName().equals("commit") && gate.getCount() > 0) {
                    inCommit.countDown();
                    gate.await(20, TimeUnit.SECONDS);
                }
                if (drainer && (m.getName().equals("commit") || m.getName().equals("rollback"))) {
                    try {
                        return invoke(m, connection, a);
                    } finally {
                        drainOpen.set(false);
                    }
                }
                Object r = invoke(m, connection, a);
                if (!drainer && r instanceof java.sql.Statement statement && !(r instanceof java.sql.PreparedStatement)) {
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {java.sql.Statement.class}, (sp, sm, sa) -> {
                        if (sm.getName().startsWith("execute") && drainOpen.get()) {
                            ddlDuringDrain.add(String.valueOf(sa[0]));
                        }
                        return invoke(sm, statement, sa);
                    });
                }
                return r;
            });
        });
        JdbcInbox inbox = JdbcInbox.builder(dataSource).spool(directory("spool-attack")).build();
        open.add(inbox);
        assertThat(inbox.store(delivery("a", "b"))).isEqualTo(2);
        away.set(false);
        assertThat(inCommit.await(20, TimeUnit.SECONDS)).as("the drain batch reaches its commit").isTrue();
        Attempt<Boolean> migration = new Attempt<>(() -> {
            inbox.initializeSchema();
            return true;
        });
        await(() -> !ddlDuringDrain.isEmpty() || migration.result.isDone() || migration.thread.getState() == Thread.State.BLOCKED
                && java.util.Arrays.stream(migration.thread.getStackTrace()).anyMatch(f -> f.getMethodName().equals("initializeSchema")),
                "the migration waits, or runs");
        assertThat(ddlDuringDrain).as("DDL sent while a drain batch was open").isEmpty();
        gate.countDown();
        assertThat(migration.result).succeedsWithin(Duration.ofSeconds(20));
        assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(20))).isTrue();
        assertThat(rows(real, "a") + rows(real, "b")).as("the drained rows survive the migration").isEqualTo(2);
        assertThat(inbox.schemaVersion()).isEqualTo(JdbcInbox.requiredSchemaVersion());
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Built while the database is away (no dialect yet): every operation fails as an InboxException (never a
     * NullPointerException), workers start, deliveries are spooled; once it answers, each part is handled exactly once.
     */
    @ParameterizedTest
    @EnumSource(Database.class)
    void anInboxBuiltWhileTheDatabaseIsAwayFailsCleanlyThenHandlesEachPartOnce(Database database) throws Exception {
        SwitchableDataSource db = new SwitchableDataSource(database.dataSource());
        db.away.set(true);
        Path dir = directory("spool-attack");
        JdbcInbox inbox = JdbcInbox.builder(db).spool(dir).pollInterval(Duration.ofMillis(20)).backoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .build();
        open.add(inbox.spool());
        open.add(() -> inbox.stop(Duration.ofSeconds(2)));
        List<Runnable> operations = List.of(inbox::counts, () -> inbox.list(JdbcInbox.State.PENDING, 10), () -> inbox.show("a"),
                () -> inbox.body("a"), inbox::schemaLocation, inbox::initializeSchema, inbox::schemaVersion, inbox::replayDead,
                () -> inbox.replay("a"), () -> inbox.purgeDone(Duration.ofDays(1)));
        for (Runnable operation : operations) {
            assertThatThrownBy(operation::run).isInstanceOf(InboxException.class);
        }
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        inbox.start(new StoredHandler() {
            @Override
            public SignatureScheme scheme() {
                return SignatureScheme.MAUTIC;
            }

            @Override
            public boolean handle(byte[] body, Headers headers, String tenant, String key) {
                handled.merge(key, 1, Integer::sum);
                return true;
            }
        });
        assertThat(inbox.store(delivery("a", "b"))).isEqualTo(2);
        assertThat(inbox.store(delivery("c"))).isEqualTo(1);
        assertThat(inbox.store(delivery("a"))).as("a duplicate of the spool").isZero();
        db.away.set(false);
        inbox.initializeSchema(); // the table is created once the database answers; the drain waits for it
        assertThat(inbox.spool().awaitDrained(Duration.ofSeconds(20))).isTrue();
        assertThat(inbox.store(delivery("d"))).isEqualTo(1);
        try {
            await(() -> inbox.counts().done() == 4, "all four handled");
        } catch (AssertionError e) {
            throw new AssertionError("rows: " + inbox.list(java.util.EnumSet.allOf(JdbcInbox.State.class), Long.MAX_VALUE, 100) + " handled " + handled
                    + " live " + inbox.liveWorkers(), e);
        }
        assertThat(handled).isEqualTo(Map.of("a", 1, "b", 1, "c", 1, "d", 1));
        assertThat(inbox.schemaVersion()).isEqualTo(JdbcInbox.requiredSchemaVersion());
    }
}
