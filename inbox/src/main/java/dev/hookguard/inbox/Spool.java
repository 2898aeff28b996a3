package dev.hookguard.inbox;

import dev.hookguard.delivery.spi.InboxDelivery;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The spool: a journal on local disk that takes verified deliveries while the inbox's database cannot (Kafka's log
 * segments and Vector's disk buffer in miniature). Each entry is {@code magic, length, CRC32C, payload}; an append
 * returns once the entry is forced to disk, and concurrent appends share one force (group commit). One drainer
 * thread stores entries into the database in journal order, a batch per transaction, each part deduplicated by its
 * key there; a segment file is deleted only once every entry in it is committed. At start the journal is read back:
 * a torn last entry (a crash mid-write: never acknowledged) is cut, with one WARN, and everything whole is drained;
 * an entry that fails its checksum with a whole entry right after it (the disk's fault, after it was acknowledged) is
 * skipped by its own length, copied aside to a {@code corrupt-} file and reported with one ERROR, and the entries
 * after it are drained too. A broken header is never searched past (a body may hold a forged record): cut there.
 * An entry the database refuses for good is kept in {@code rejected.log}, and goes back into the journal at the next
 * start ({@link #retryRejected}).
 *
 * <p>Rule of the accept path (see {@link JdbcInbox#store}): while the spool holds anything, new deliveries join it,
 * behind what waits, so the database sees them in the order they were acknowledged and no request waits on a
 * database known to be away.
 */
final class Spool implements AutoCloseable {

    /** "HGS1". */
    static final int MAGIC = 0x48475331;
    static final int HEADER_BYTES = 12;
    /** Larger than any delivery the endpoint accepts (16 MiB at most) with its headers and keys. */
    static final int MAX_ENTRY_BYTES = 64 << 20;
    static final long SEGMENT_BYTES = 16 << 20;
    /** Beside the journal: the entries the database refused for good, framed as in the journal; retried at each start. */
    static final String REJECTED = "rejected.log";
    private static final int DRAIN_BATCH_ENTRIES = 256;
    private static final long DRAIN_BATCH_BYTES = 8 << 20;
    private static final Pattern SEGMENT = Pattern.compile("spool-(\\d{12})\\.log");
    private static final System.Logger LOG = System.getLogger(Spool.class.getName());

    /** Where drained entries go: one transaction for the batch. */
    @FunctionalInterface
    interface Sink {
        void store(List<SpoolEntry> entries) throws SQLException;
    }

    /** Refused: the spool is at its size or age bound; nothing was written. */
    static final class FullException extends IOException {
        FullException(String message) {
            super(message);
        }
    }

    /** An entry whose checksum held and which does not decode: no retry reads it. */
    private static final class Unreadable extends IOException {
        Unreadable(RuntimeException cause) {
            super("a spool entry cannot be read back", cause);
        }
    }

    /**
     * What recovery found at start: whole entries kept, torn bytes cut from a segment's end, and corrupt entries skipped
     * between whole ones (kept aside in a {@code corrupt-} file).
     */
    record Recovery(int entries, long cutBytes, long corruptBytes) {
    }

    private static final class Segment {
        final long number;
        final Path path;
        /**
         * Appends and forces go through a RandomAccessFile, whose I/O an interrupt does not abort. A FileChannel is
         * closed, for every thread, as soon as one thread using it is interrupted (a cancelled request, a container
         * stopping its pool): the journal then refused every append until a restart, the drainer could no longer
         * read it, and the interrupted force's ClosedByInterruptException passed for "deleted, so drained": an
         * acknowledgement without the force.
         */
        final RandomAccessFile file;
        /** Reads, by recovery and the drainer only (which only close() interrupts). */
        final FileChannel reader;
        /** Guarded by the spool's lock. */
        long written;
        /** Guarded by the spool's lock: entries written and not yet committed to the database. */
        int undrained;
        /**
         * Guarded by the spool's lock, and set under its force lock too (so no force runs on a closed descriptor):
         * the files are closed, because every entry was committed and the file deleted, or the spool was closed.
         */
        boolean released;
        volatile long forced;

        Segment(long number, Path path) throws IOException {
            this.number = number;
            this.path = path;
            createPrivateFile(path);
            this.file = new RandomAccessFile(path.toFile(), "rw");
            try {
                this.reader = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException | RuntimeException e) {
                file.close();
                throw e;
            }
        }

        void release() {
            released = true;
            try {
                reader.close();
            } catch (IOException e) {
                // read only: nothing to lose
            }
            try {
                file.close();
            } catch (IOException e) {
                // what was acknowledged was forced before its answer
            }
        }
    }

    private record Position(Segment segment, long offset, int length, long spooledAt, List<String> keys) {
    }

    private final Path directory;
    private final long maxBytes;
    private final Duration maxAge;
    private final LongSupplier clock;
    private final Sink sink;
    private final FileChannel lockFile;
    private final FileLock directoryLock;
    private final Recovery recovery;

    private final Object lock = new Object();
    private final Object forceLock = new Object();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ArrayDeque<Position> undrained = new ArrayDeque<>();
    /**
     * The keys of every part waiting in the journal, and the entry holding each: a delivery replayed while the
     * database is away (by a stranger holding one valid delivery, or a sender's retry) is a duplicate here too, and
     * cannot fill the spool; its answer waits until that entry is forced.
     */
    private final java.util.HashMap<String, Position> spooledKeys = new java.util.HashMap<>();
    private long bytes;
    private long nextSegment;
    private Thread drainer;
    /**
     * Guarded by {@link #lock}: no drainer until the constructor is done, so none sets an entry aside in rejected.log
     * while the start reads it back (and then deletes it).
     */
    private boolean starting = true;
    private boolean closed;
    /** Set when an outage begins (the first entry spooled), so that it is logged once, and its end once. */
    private long spooledThisOutage;
    private volatile boolean emptyHint = true;
    /** Guarded by {@link #lock}: the last append was refused for size, and nothing has drained since. */
    private boolean refusingForSize;

    /** How a segment's writes reach the disk; tests make one fail. */
    @FunctionalInterface
    interface Syncer {
        Syncer FSYNC = file -> file.getFD().sync();

        void sync(RandomAccessFile file) throws IOException;
    }

    private final Syncer syncer;
    /**
     * Set by the first failed sync, for good: after a failed fsync Linux may mark the pages it could not write clean,
     * so a later sync that succeeds would acknowledge entries beside data already lost (PostgreSQL stops on this for
     * the same reason). The spool then takes nothing more until a restart reads back what is really on disk.
     */
    private volatile boolean syncFailed;

    Spool(Path directory, long maxBytes, Duration maxAge, LongSupplier clock, Sink sink) throws IOException {
        this(directory, maxBytes, maxAge, clock, sink, Syncer.FSYNC);
    }

    Spool(Path directory, long maxBytes, Duration maxAge, LongSupplier clock, Sink sink, Syncer syncer) throws IOException {
        this.syncer = syncer;
        this.directory = directory.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
        this.sink = sink;
        createPrivateDirectory(this.directory);
        createPrivateFile(this.directory.resolve("spool.lock"));
        this.lockFile = FileChannel.open(this.directory.resolve("spool.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = lockFile.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockFile.close();
            throw new IllegalStateException("another inbox holds the spool directory " + this.directory + ": each instance needs a directory of its own");
        }
        this.directoryLock = held;
        try {
            this.recovery = recover();
        } catch (IOException | RuntimeException e) {
            // Without this, the directory stayed locked by this process: once the operator fixed what failed, no
            // inbox in this process could open it again ("another inbox holds the spool directory").
            segments.forEach(Segment::release);
            segments.clear();
            lockFile.close(); // releases the lock
            throw e;
        }
        if (!undrained.isEmpty()) {
            int recovered = undrained.size();
            LOG.log(System.Logger.Level.INFO, () -> "the spool in " + this.directory + " holds " + recovered
                    + " deliveries from before this start; they are stored in the inbox as soon as its database answers");
        }
        try {
            retryRejected();
        } catch (IOException | RuntimeException | Error e) { // an Error too: it must not leave the directory locked
            // What is not retried stays in rejected.log for the next start: never a reason not to take deliveries.
            LOG.log(System.Logger.Level.ERROR, () -> "the spool could not retry what " + this.directory.resolve(REJECTED) + " holds ("
                    + e.getClass().getName() + "); it stays there, and the next start tries again");
        }
        synchronized (lock) {
            emptyHint = undrained.isEmpty();
            starting = false;
            startDrainer();
        }
    }

    /**
     * At start, the deliveries the database refused for good go back into the journal, behind what waits there: an
     * operator who fixed the cause (a constraint, a column too narrow) restarts the instance and they are stored; one
     * refused again is set aside again, once. Each is stamped with the start's time, and a start takes at most half
     * the size bound of them (the rest stays in the file), so that a start during an outage still spools. The file goes
     * (or is cut to what waits) only once every record taken from it is forced in the journal
     * (a crash before that finds them in both, and a key the journal holds is not added twice). Records are read by
     * their own lengths, never searched for (a body may hold a forged one): a torn or corrupt record ends the reading,
     * and its bytes and what follows are kept aside in a {@code rejected-unreadable-} file, with one WARN.
     */
    private void retryRejected() throws IOException {
        Path rejected = directory.resolve(REJECTED);
        if (!Files.isRegularFile(rejected)) {
            return;
        }
        int retried = 0;
        long readable;
        long position = 0;
        Path remainder = null;
        try (FileChannel in = FileChannel.open(rejected, StandardOpenOption.READ)) {
            long size = in.size();
            readable = size;
            while (position < size) {
                ByteBuffer payload = readRecord(in, position, size);
                SpoolEntry entry = payload == null ? null : decodeOrNull(payload.duplicate());
                if (entry == null) {
                    readable = position;
                    keepUnreadable(in, position, size);
                    break;
                }
                // Half the journal at most, so that the spool still takes deliveries during an outage; the rest waits
                // in rejected.log for a later start. The first record is always taken: one larger than half the bound
                // (the journal takes any entry up to the whole bound) would otherwise hold itself and all behind it forever.
                if (retried > 0 && bytes + HEADER_BYTES + payload.remaining() > maxBytes / 2) {
                    break;
                }
                // Stamped now: the age bound is about deliveries waiting for the database, and a copy refused days ago
                // would otherwise make the spool refuse every new delivery at once.
                append(entry.with(clock.getAsLong(), entry.parts()), null, Source.REJECTED);
                retried++;
                position += HEADER_BYTES + payload.remaining();
            }
            if (position < readable) {
                remainder = directory.resolve(REJECTED + ".rest");
                Files.deleteIfExists(remainder);
                createPrivateFile(remainder);
                try (FileChannel out = FileChannel.open(remainder, StandardOpenOption.WRITE)) {
                    for (long done = 0; done < readable - position; ) {
                        done += in.transferTo(position + done, readable - position - done, out);
                    }
                    out.force(true);
                }
            }
        }
        Segment last;
        long end;
        synchronized (lock) {
            last = segments.peekLast();
            end = last == null ? 0 : last.written;
        }
        if (last != null) {
            force(last, end); // an earlier segment was forced when the next one began
        }
        // Only once what was retried is forced in the journal: a crash before finds it in both, and the journal's keys
        // keep it from being added twice.
        if (remainder != null) {
            Files.move(remainder, rejected, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            long left = readable - position;
            LOG.log(System.Logger.Level.WARNING, () -> REJECTED + " holds more than half the spool's size bound: " + left
                    + " bytes of it wait there for a later start");
        } else {
            Files.delete(rejected);
        }
        forceDirectory();
        if (retried > 0) {
            int count = retried;
            LOG.log(System.Logger.Level.INFO, () -> REJECTED + " held " + count + " deliveries the database refused before: they are back in the"
                    + " journal, behind the others, and a delivery refused again returns to " + REJECTED);
        }
    }

    /** Copies what follows an unreadable record of rejected.log to a {@code rejected-unreadable-} file, with one WARN. */
    private void keepUnreadable(FileChannel in, long position, long size) throws IOException {
        long stamp = System.currentTimeMillis();
        Path aside;
        while (Files.exists(aside = directory.resolve("rejected-unreadable-" + stamp + ".log"))) {
            stamp++;
        }
        createPrivateFile(aside); // it may hold a payload
        try (FileChannel out = FileChannel.open(aside, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < size - position; ) {
                done += in.transferTo(position + done, size - position - done, out);
            }
            out.force(true);
        }
        Path kept = aside;
        LOG.log(System.Logger.Level.WARNING, () -> REJECTED + " ended in a torn record at offset " + position + " (" + (size - position)
                + " bytes, kept in " + kept.getFileName() + "): a copy a crash interrupted leaves one (its delivery was still in the"
                + " journal), a disk fault another; every whole record before it is retried");
    }

    /**
     * Creates the file readable and writable by this user alone ({@code rw-------}) where it does not exist: the entries
     * hold payloads, and a directory given ready-made (a mounted volume) may be open to others.
     */
    static void createPrivateFile(Path file) throws IOException {
        if (Files.exists(file)) {
            return;
        }
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created meanwhile: opened as it is
        }
    }

    private static void createPrivateDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            // The entries hold payloads (personal data): the directory is the application's alone.
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(directory);
        }
    }

    /** Whether nothing waits in the spool; a hint, read without the lock, for the accept path's rule. */
    boolean isEmpty() {
        return emptyHint;
    }

    Recovery recovery() {
        return recovery;
    }

    Path directory() {
        return directory;
    }

    /**
     * Appends an entry and returns once it is on disk.
     *
     * @throws FullException when the spool is at its size bound, or its oldest entry at its age bound
     * @throws IOException   when the disk refuses: nothing of the entry stays behind
     */
    int append(SpoolEntry delivery, SQLException why) throws IOException {
        return append(delivery, why, Source.REQUEST);
    }

    /** Where an appended entry comes from, which decides its bounds and its force. */
    private enum Source {
        /** A delivery to be acknowledged: refused past the bounds, and forced before the append returns. */
        REQUEST,
        /** An entry acknowledged already, retried from rejected.log at start: never refused, forced once for all. */
        REJECTED
    }

    private int append(SpoolEntry delivery, SQLException why, Source source) throws IOException {
        while (true) {
            int stored = appendOnce(delivery, why, source);
            if (stored != RACED) {
                return stored;
            }
            // Another request spooled one of these parts meanwhile: again, with only what is still new. Outside the
            // lock: this once called itself inside it, and so waited for a force while holding the lock that a force
            // in progress takes next (a deadlock with another request's force, every request stalled behind it).
        }
    }

    private static final int RACED = -1;

    private int appendOnce(SpoolEntry delivery, SQLException why, Source source) throws IOException {
        SpoolEntry entry;
        // The entries already holding some of these parts. Another request may have written one and not forced it
        // yet (a sender's retry racing its first try): a duplicate's answer must not come before that force, or a
        // crash could lose a part a 2xx acknowledged.
        List<Position> holding = new ArrayList<>();
        synchronized (lock) {
            List<InboxDelivery.Part> fresh = new ArrayList<>();
            for (InboxDelivery.Part part : delivery.parts()) {
                Position held = spooledKeys.get(part.key());
                if (held == null) {
                    fresh.add(part);
                } else {
                    holding.add(held);
                }
            }
            if (fresh.isEmpty()) {
                entry = null;
            } else {
                entry = fresh.size() == delivery.parts().size() ? delivery
                        : delivery.with(delivery.spooledAt(), fresh);
            }
        }
        if (entry == null) {
            forceAll(holding);
            return 0;
        }
        List<String> keys = entry.parts().stream().map(InboxDelivery.Part::key).toList();
        byte[] payload = entry.encode();
        if (payload.length > MAX_ENTRY_BYTES) {
            throw new IOException("a delivery of " + payload.length + " bytes is larger than a spool entry may be");
        }
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + payload.length);
        record.putInt(MAGIC).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        Segment segment;
        long end;
        synchronized (lock) {
            if (closed) {
                throw new IOException("the spool is closed");
            }
            if (syncFailed) {
                throw new IOException("a sync of the spool failed: it takes nothing more until a restart");
            }
            if (keys.stream().anyMatch(spooledKeys::containsKey)) {
                return RACED; // another request spooled one of these parts meanwhile
            }
            if (source == Source.REQUEST) {
                refuseWhenFull(record.remaining());
            }
            segment = segments.peekLast();
            if (segment == null || segment.written > 0 && segment.written + record.remaining() > SEGMENT_BYTES) {
                segment = newSegment();
            }
            long offset = segment.written;
            try {
                segment.file.seek(offset);
                segment.file.write(record.array(), 0, record.limit());
            } catch (IOException e) {
                try {
                    segment.file.setLength(offset); // a torn entry left now would be cut at the next start anyway
                } catch (IOException ignored) {
                    // recovery cuts it
                }
                throw e;
            }
            segment.written = offset + HEADER_BYTES + payload.length;
            segment.undrained++;
            bytes += HEADER_BYTES + payload.length;
            Position position = new Position(segment, offset, payload.length, entry.spooledAt(), keys);
            undrained.addLast(position);
            keys.forEach(key -> spooledKeys.put(key, position));
            emptyHint = false;
            refusingForSize = false; // the last append was taken
            end = segment.written;
            if (spooledThisOutage++ == 0) {
                String cause = why == null ? "the spool holds deliveries from before this start" : "the inbox's database refused a store (" + InboxException.cause(why) + ")";
                LOG.log(System.Logger.Level.WARNING, () -> cause + "; verified deliveries are spooled in " + directory
                        + " and answered 202, and stored in the inbox once it answers again");
            }
            startDrainer();
        }
        if (source == Source.REQUEST) {
            force(segment, end);
            forceAll(holding); // in this segment or an earlier one, so forced already: a formality
        }
        return keys.size();
    }

    private void forceAll(List<Position> positions) throws IOException {
        for (Position p : positions) {
            force(p.segment(), p.offset() + HEADER_BYTES + p.length());
        }
    }

    private void refuseWhenFull(int size) throws FullException {
        if (bytes + size > maxBytes) {
            // A delivery larger than the whole spool says nothing about the spool taking the others: it alone is
            // refused, and the spool does not report itself full (not accepting) for it.
            if (size <= maxBytes) {
                refusingForSize = true;
            }
            throw new FullException("the spool is full: it holds " + bytes + " bytes of its " + maxBytes);
        }
        Position oldest = undrained.peekFirst();
        if (oldest != null && clock.getAsLong() - oldest.spooledAt() > maxAge.toMillis()) {
            throw new FullException("the spool's oldest delivery has waited longer than its bound of " + maxAge);
        }
    }

    /** Group commit: whoever forces, forces everything written so far, and those behind it find their entry already forced. */
    private void force(Segment segment, long end) throws IOException {
        if (segment.forced >= end) {
            return;
        }
        synchronized (forceLock) {
            if (segment.forced >= end) {
                return;
            }
            long target;
            synchronized (lock) {
                if (segment.released) {
                    if (segment.undrained == 0) {
                        return; // deleted: every entry in it was committed to the database, ours included
                    }
                    // close() could not force it (when it could, it set forced): never an answer without the force
                    throw new IOException("the spool was closed before the entry was forced");
                }
                target = segment.written;
            }
            // A segment is released only under forceLock: the descriptor is still this file's.
            sync(segment.file);
            segment.forced = Math.max(segment.forced, target);
        }
    }

    private Segment newSegment() throws IOException {
        Segment previous = segments.peekLast();
        if (previous != null) {
            sync(previous.file); // those waiting on it return at once
            previous.forced = previous.written;
        }
        long number = nextSegment++;
        Path path = directory.resolve(String.format("spool-%012d.log", number));
        // Never over an existing file, and this user's alone.
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(path);
        }
        forceDirectory(); // the new file's name survives a crash too
        Segment segment = new Segment(number, path);
        segments.addLast(segment);
        return segment;
    }

    private void sync(RandomAccessFile file) throws IOException {
        if (syncFailed) {
            throw new IOException("a sync of the spool failed before: it takes nothing more until a restart");
        }
        try {
            syncer.sync(file);
        } catch (IOException | RuntimeException e) {
            syncFailed = true;
            LOG.log(System.Logger.Level.ERROR, () -> "a sync of the spool in " + directory + " failed (" + e.getClass().getName()
                    + "): it refuses deliveries (503) until a restart reads back what is on disk");
            throw e;
        }
    }

    private void forceDirectory() {
        // A directory has no RandomAccessFile: its channel is forced with the caller's interrupt held back (an
        // interrupt would close the channel and skip the force), and the interrupt restored after.
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                    dir.force(true);
                    return;
                } catch (ClosedByInterruptException e) {
                    interrupted |= Thread.interrupted();
                } catch (IOException e) {
                    return; // some file systems cannot open a directory; the file's data is forced all the same
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads the journal back: every whole entry is kept to drain; a torn or corrupt end is cut, with one WARN; an entry
     * that fails its checksum with a whole entry after it is skipped by its length and kept aside, with one ERROR.
     */
    private Recovery recover() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> SEGMENT.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        int entries = 0;
        long cut = 0;
        long corrupt = 0;
        for (Path path : files) {
            Matcher name = SEGMENT.matcher(path.getFileName().toString());
            name.matches();
            long number = Long.parseLong(name.group(1));
            nextSegment = Math.max(nextSegment, number + 1);
            Segment segment = new Segment(number, path);
            try {
                long size = segment.reader.size();
                long position = 0;
                while (position < size) {
                    Position entry = readPosition(segment, position, size);
                    if (entry == null) {
                        long next = afterCorrupt(segment, position, size);
                        if (next < 0) {
                            break; // nothing whole after it: a torn end
                        }
                        // A whole entry follows: this one was acknowledged once and went bad on the disk since.
                        corrupt += next - position;
                        Path aside = keepAside(segment, path, position, next);
                        long from = position;
                        long bad = next - position;
                        LOG.log(System.Logger.Level.ERROR, () -> "the spool's " + path.getFileName() + " holds " + bad + " corrupt bytes at offset "
                                + from + ", between whole entries: a delivery acknowledged earlier may be lost; the bytes are kept in "
                                + aside.getFileName() + ", and every whole entry after them is drained");
                        position = next;
                        continue;
                    }
                    undrained.addLast(entry);
                    entry.keys().forEach(key -> spooledKeys.put(key, entry));
                    segment.undrained++;
                    entries++;
                    position += HEADER_BYTES + entry.length();
                }
                if (position < size) {
                    long cutHere = size - position;
                    long at = position;
                    cut += cutHere;
                    segment.file.setLength(position);
                    segment.file.getFD().sync();
                    LOG.log(System.Logger.Level.WARNING, () -> "the spool's " + path.getFileName() + " ended in a torn entry: " + cutHere
                            + " bytes cut at offset " + at + " (a write a crash interrupted, so never acknowledged); every whole entry before it is kept");
                }
                segment.written = position;
                segment.forced = position;
            } catch (IOException | RuntimeException e) {
                segment.release();
                throw e;
            }
            if (segment.undrained == 0) {
                segment.release();
                Files.deleteIfExists(path);
            } else {
                segments.addLast(segment);
                bytes += segment.written;
            }
        }
        return new Recovery(entries, cut, corrupt);
    }

    /**
     * Where the next whole entry starts after the unreadable one at {@code position}, or -1 (cut there). Only the
     * journal's own length leads there: a header that holds, whose entry fails its checksum, with a whole entry right
     * after it. A torn header, or one that runs past the end, is never searched past: an entry's body is a sender's
     * bytes, and a record forged inside them must never be read as the journal's own.
     */
    private static long afterCorrupt(Segment segment, long position, long size) throws IOException {
        long at = position;
        while (size - at >= HEADER_BYTES) { // through several bad entries in a row, each by its own length
            ByteBuffer header = readFully(segment.reader, at, HEADER_BYTES);
            int magic = header.getInt();
            int length = header.getInt();
            if (magic != MAGIC || length < Long.BYTES || length > MAX_ENTRY_BYTES) {
                return -1;
            }
            at += HEADER_BYTES + length;
            if (at >= size) {
                return -1;
            }
            if (readPosition(segment, at, size) != null) {
                return at;
            }
        }
        return -1;
    }

    /** Copies the bytes {@code [from, to)} of a segment to {@code corrupt-<segment>-<offset>} beside it, for someone to look at. */
    private Path keepAside(Segment segment, Path path, long from, long to) throws IOException {
        Path aside = directory.resolve("corrupt-" + path.getFileName() + "-" + from);
        createPrivateFile(aside); // it may hold a payload
        try (FileChannel out = FileChannel.open(aside, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long done = 0;
            while (done < to - from) {
                done += segment.reader.transferTo(from + done, to - from - done, out);
            }
            out.force(true);
        }
        return aside;
    }

    /** The entry at {@code position}, checked whole, or {@code null} when what is there is torn or corrupt. */
    private static Position readPosition(Segment segment, long position, long size) throws IOException {
        ByteBuffer payload = readRecord(segment.reader, position, size);
        SpoolEntry entry = payload == null ? null : decodeOrNull(payload.duplicate());
        if (entry == null) {
            return null;
        }
        return new Position(segment, position, payload.remaining(), entry.spooledAt(), entry.parts().stream().map(InboxDelivery.Part::key).toList());
    }

    /** The payload of the record at {@code position}, its length and checksum checked, or {@code null} when torn or corrupt. */
    private static ByteBuffer readRecord(FileChannel file, long position, long size) throws IOException {
        if (size - position < HEADER_BYTES) {
            return null;
        }
        ByteBuffer header = readFully(file, position, HEADER_BYTES);
        int magic = header.getInt();
        int length = header.getInt();
        int checksum = header.getInt();
        if (magic != MAGIC || length < Long.BYTES || length > MAX_ENTRY_BYTES || length > size - position - HEADER_BYTES) {
            return null;
        }
        ByteBuffer payload = readFully(file, position + HEADER_BYTES, length);
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue() == checksum ? payload : null;
    }

    private static SpoolEntry decodeOrNull(ByteBuffer payload) {
        try {
            return SpoolEntry.decode(payload);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null; // its checksum held, yet it does not read back: written by something else
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("the spool file ended early");
            }
        }
        return buffer.flip();
    }

    // ---- draining ----

    /** Guarded by {@link #lock}. */
    private void startDrainer() {
        if (drainer == null && !starting && !closed && !undrained.isEmpty()) {
            drainer = new Thread(this::drain, "hookguard-spool-drainer");
            drainer.setDaemon(true);
            drainer.start();
        }
    }

    /**
     * The drainer's thread. What {@link #drainUntilEmpty} throws can only come from a report of a failure it met
     * (memory still short, a logging backend's Error): it used to end the thread with its field still set, so no
     * drainer ever started again and nothing was stored until a restart. The thread goes on after a pause instead.
     */
    private void drain() {
        while (true) {
            try {
                drainUntilEmpty();
                return;
            } catch (Throwable reportFailed) {
                synchronized (lock) {
                    if (drainer != Thread.currentThread()) {
                        return; // it had handed over (drained, or closed) when its last line failed
                    }
                }
                if (!sleep(200)) {
                    return;
                }
            }
        }
    }

    private void drainUntilEmpty() {
        long pause = 50;
        boolean warned = false;
        long drained = 0;
        int oneByOne = 0; // entries to take alone, after a batch met data the database refuses for good
        boolean asideFailed = false;
        while (true) {
            List<Position> batch = new ArrayList<>();
            synchronized (lock) {
                if (closed || undrained.isEmpty()) {
                    drainer = null;
                    if (drained > 0 && undrained.isEmpty()) {
                        long count = drained;
                        LOG.log(System.Logger.Level.INFO, () -> "the spool is drained: " + count + " deliveries stored in the inbox");
                        spooledThisOutage = 0;
                    }
                    return;
                }
                long batchBytes = 0;
                int limit = oneByOne > 0 ? 1 : DRAIN_BATCH_ENTRIES;
                for (Iterator<Position> it = undrained.iterator(); it.hasNext() && batch.size() < limit && batchBytes < DRAIN_BATCH_BYTES; ) {
                    Position p = it.next();
                    batch.add(p);
                    batchBytes += p.length();
                }
            }
            List<SpoolEntry> entries = new ArrayList<>(batch.size());
            try {
                for (Position p : batch) {
                    entries.add(read(p));
                }
                sink.store(entries);
            } catch (Exception | Error e) {
                // An Error too (a driver class that cannot load, memory short for a moment) is retried after a pause:
                // it used to end the drainer thread with its field still set, so no drainer ever started again and
                // nothing was stored until a restart, while every new delivery joined the journal behind it.
                if (refusedForGood(e)) {
                    if (batch.size() > 1) {
                        oneByOne = batch.size(); // find the entry, keep the others
                        continue;
                    }
                    try {
                        setAside(batch.get(0));
                    } catch (IOException notKept) {
                        // Dropping it would lose a delivery answered 202 and stored nowhere: it stays at the head of
                        // the journal, holding what follows, and is set aside again after a pause.
                        if (!asideFailed) {
                            asideFailed = true;
                            LOG.log(System.Logger.Level.ERROR, () -> "the inbox's database refuses a spooled delivery for good (" + describe(e)
                                    + ") and it could not keep it in " + directory.resolve(REJECTED) + " (" + notKept.getClass().getName()
                                    + "); it stays in the journal, and the spool waits until it can be kept");
                        }
                        if (!sleep(pause)) {
                            return;
                        }
                        pause = Math.min(pause * 2, 2_000);
                        continue;
                    }
                    asideFailed = false;
                    drained++;
                    settle(batch); // before the report: one that fails must not set the entry aside again
                    oneByOne = Math.max(0, oneByOne - 1);
                    LOG.log(System.Logger.Level.ERROR, () -> "the inbox's database refuses a spooled delivery for good (" + describe(e)
                            + "); it is kept in " + directory.resolve(REJECTED) + " and the spool goes on");
                    continue;
                }
                if (!warned) {
                    warned = true;
                    LOG.log(System.Logger.Level.WARNING, () -> "the spool cannot drain yet (" + describe(e) + "); it tries again until the database answers");
                }
                if (!sleep(pause)) {
                    return;
                }
                pause = Math.min(pause * 2, 2_000);
                continue;
            }
            pause = 50;
            warned = false;
            drained += batch.size();
            oneByOne = Math.max(0, oneByOne - batch.size());
            settle(batch);
        }
    }

    /**
     * Bad data (class 22) or a broken constraint other than the key (class 23): no retry will store it, and it would
     * hold every entry behind it. An entry that cannot be read back is the same.
     */
    private static boolean refusedForGood(Throwable e) {
        if (e instanceof Unreadable) {
            return true; // decoding failed (and only that: an I/O failure with a cause of its own is retried)
        }
        String state = e instanceof SQLException sql ? sql.getSQLState() : null;
        return state != null && (state.startsWith("22") || state.startsWith("23") && !state.equals("23505"));
    }

    /**
     * Keeps an entry the database refuses for good in {@code rejected.log} beside the journal, whole and forced.
     *
     * @throws IOException when it could not be kept (nothing of it is left there): the caller keeps it in the journal
     */
    private void setAside(Position position) throws IOException {
        Path rejected = directory.resolve(REJECTED);
        createPrivateFile(rejected);
        try (FileChannel out = FileChannel.open(rejected, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long start = out.size();
            ByteBuffer record = readFully(position.segment().reader, position.offset(), HEADER_BYTES + position.length());
            try {
                while (record.hasRemaining()) {
                    out.write(record, start + record.position());
                }
                out.force(false);
            } catch (IOException e) {
                try {
                    out.truncate(start); // a cut copy would be written again whole after it
                } catch (IOException ignored) {
                    // the next copy follows it
                }
                throw e;
            }
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof InboxException inbox && inbox.getCause() instanceof SQLException sql) {
            return InboxException.cause(sql);
        }
        return e instanceof SQLException sql ? InboxException.cause(sql) : e.getClass().getName();
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            synchronized (lock) {
                drainer = null;
            }
            return false;
        }
    }

    private SpoolEntry read(Position position) throws IOException {
        ByteBuffer payload = readFully(position.segment().reader, position.offset() + HEADER_BYTES, position.length());
        try {
            return SpoolEntry.decode(payload);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new Unreadable(e);
        }
    }

    /** The batch is committed in the database: forget it, and delete each segment nothing in which waits any more. */
    private void settle(List<Position> batch) {
        synchronized (forceLock) { // a segment is released under forceLock: no force runs on its closed descriptor
            synchronized (lock) {
                for (Position p : batch) {
                    undrained.removeFirst();
                    p.segment().undrained--;
                    p.keys().forEach(key -> spooledKeys.remove(key, p)); // a later entry may hold the key again (after a restart)
                }
                for (Iterator<Segment> it = segments.iterator(); it.hasNext(); ) {
                    Segment segment = it.next();
                    if (segment.undrained > 0) {
                        break;
                    }
                    it.remove();
                    bytes -= segment.written;
                    segment.release();
                    try {
                        Files.deleteIfExists(segment.path);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, () -> "could not delete the drained spool file " + segment.path.getFileName()
                                + "; its entries are in the inbox, and drained again (as duplicates) after a restart");
                    }
                }
                emptyHint = undrained.isEmpty();
                refusingForSize = false;
            }
        }
    }

    // ---- state ----

    /** What the spool holds now. */
    SpoolCounts counts() {
        synchronized (lock) {
            Position oldest = undrained.peekFirst();
            Duration age = oldest == null ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.getAsLong() - oldest.spooledAt()));
            boolean full = syncFailed || refusingForSize || bytes >= maxBytes || oldest != null && age.compareTo(maxAge) > 0;
            return new SpoolCounts(undrained.size(), bytes, age, !full);
        }
    }

    /** Waits up to {@code timeout} for the drainer to store everything; whether it did. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (!emptyHint) {
            if (System.nanoTime() > until) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Stops draining and closes the files; what waits stays on disk for the next start. */
    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            running = drainer;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (forceLock) {
            synchronized (lock) {
                for (Segment segment : segments) {
                    try {
                        segment.file.getFD().sync();
                        segment.forced = segment.written; // an append still waiting on its force finds it done
                    } catch (IOException e) {
                        // an append still waiting on its force is refused (its segment released unforced)
                    }
                    segment.release();
                }
                segments.clear();
            }
        }
        try {
            directoryLock.release();
            lockFile.close();
        } catch (IOException e) {
            // the lock goes with the process
        }
    }

    static Set<String> fileNames(Path directory) throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> SEGMENT.matcher(n).matches()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
