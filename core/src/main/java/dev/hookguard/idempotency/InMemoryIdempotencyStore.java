package dev.hookguard.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link IdempotencyStore} in this process's memory: bounded (the oldest claims go first) and expiring.
 * Right for one instance; behind a load balancer use {@code JdbcIdempotencyStore} so that all instances share it.
 * Keys are hashed with SipHash under a random key of this store, so keys chosen to collide cost no more than
 * any others; from 65,536 keys on, the store is split into 16 stripes with a lock each.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** Beyond this, keys belong in a database: the arrays alone would take gigabytes. */
    static final int MAX_ENTRIES_LIMIT = 1 << 24;

    private static final int INITIAL_CAPACITY = 64;
    private static final long DONE = 1L;
    private static final long MAX_EXPIRY = Long.MAX_VALUE >> 2;

    /*
     * Every key is one slot of a ring kept in claim order: its hash, where its characters start in a byte arena,
     * their count (with a flag for keys that need two bytes a character), and its expiry shifted left by one with
     * the done flag in the lowest bit. The arena is a ring too, filled and emptied in the same order. So the store
     * holds no object per key, not even the key string: a young collection has nothing of it to copy or scan, where
     * 100,000 remembered strings were copied from survivor space to survivor space on every one. An
     * open-addressing index of (hash << 32 | slot + 1) finds a key's slot. Marking done updates the slot in place;
     * a released or taken-over key leaves an empty slot, skipped when the front reaches it and squeezed out when
     * the ring is full.
     */
    private static final long EMPTY = -1L;
    private static final int MAX_ARENA_BYTES = 1 << 30;
    private static final int TWO_BYTE = 1;

    /** Above this many keys, the store is split into stripes with a lock each, so that claims on many threads do not queue on one lock. */
    static final int STRIPING_THRESHOLD = 65_536;
    private static final int STRIPES = 16;

    private final Segment[] segments;
    private final long doneTtlMillis;
    private final long inFlightTtlMillis;
    private final Clock clock;
    /** The key of this store's SipHash: keys are sent by others, and String.hashCode collisions are easy to make. */
    private final long k0;
    private final long k1;

    private InMemoryIdempotencyStore(Builder b) {
        this.doneTtlMillis = b.doneTtl.toMillis();
        this.inFlightTtlMillis = b.inFlightTtl.toMillis();
        this.clock = b.clock;
        java.security.SecureRandom random = new java.security.SecureRandom();
        this.k0 = random.nextLong();
        this.k1 = random.nextLong();
        // Small stores stay one stripe, so the bound forgets exactly the oldest claim first.
        int stripes = b.maxEntries >= STRIPING_THRESHOLD ? STRIPES : 1;
        this.segments = new Segment[stripes];
        int perStripe = (b.maxEntries + stripes - 1) / stripes;
        for (int i = 0; i < stripes; i++) {
            segments[i] = new Segment(perStripe);
        }
    }

    /** 100,000 keys, remembered for 7 days once done; an unfinished claim expires after 5 minutes. */
    public static InMemoryIdempotencyStore withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Claim claim(String key) {
        long hash = SipHash.hash(k0, k1, key);
        return segment(hash).claim(key, (int) hash, clock.millis(), inFlightTtlMillis);
    }

    @Override
    public void markDone(String key) {
        long hash = SipHash.hash(k0, k1, key);
        segment(hash).markDone(key, (int) hash, clock.millis(), doneTtlMillis);
    }

    @Override
    public void release(String key) {
        long hash = SipHash.hash(k0, k1, key);
        segment(hash).release(key, (int) hash);
    }

    /** How many keys are remembered now. */
    public int size() {
        int size = 0;
        for (Segment segment : segments) {
            size += segment.size();
        }
        return size;
    }

    /** Index slots looked at so far, for tests that prove lookups stay short. */
    long probes() {
        long probes = 0;
        for (Segment segment : segments) {
            probes += segment.probes();
        }
        return probes;
    }

    private Segment segment(long hash) {
        return segments[(int) (hash >>> 60) & (segments.length - 1)];
    }

    /** One stripe of the store: keys whose hash falls here, under this stripe's own lock. */
    private static final class Segment {
        private final int maxEntries;
        private final int maxCapacity;

        private int[] hashes;
        private int[] starts;
        private int[] sizes;
        private long[] states;
        private int head;
        private int count;
        private int live;
        private long[] index;
        private int indexShift;
        private byte[] arena;
        private int arenaHead;
        private int arenaUsed;
        /** Index slots looked at by lookups: what a flood of colliding keys would make grow quadratically. */
        private long probes;

        Segment(int maxEntries) {
            this.maxEntries = maxEntries;
            // Room for released keys' empty slots, so that squeezing them out happens at most every maxEntries / 4 claims.
            this.maxCapacity = maxEntries + Math.max(1, maxEntries / 4);
            allocate(Math.min(INITIAL_CAPACITY, maxCapacity), INITIAL_CAPACITY * 64);
        }

        synchronized Claim claim(String key, int hash, long now, long inFlightTtlMillis) {
            dropExpiredFront(now);
            int slot = find(key, hash);
            if (slot >= 0) {
                long state = states[slot];
                if (expiry(state) > now) {
                    return (state & DONE) != 0 ? Claim.DONE : Claim.IN_FLIGHT;
                }
                // Taken over: appended again, so that the front stays the oldest claim.
                remove(slot);
            }
            append(key, hash, expiring(now, inFlightTtlMillis));
            return Claim.CLAIMED;
        }

        synchronized void markDone(String key, int hash, long now, long doneTtlMillis) {
            int slot = find(key, hash);
            long done = expiring(now, doneTtlMillis) | DONE;
            if (slot >= 0) {
                states[slot] = done;
            } else {
                dropExpiredFront(now);
                append(key, hash, done);
            }
        }

        synchronized void release(String key, int hash) {
            int slot = find(key, hash);
            if (slot >= 0 && (states[slot] & DONE) == 0) {
                remove(slot);
            }
        }

        synchronized long probes() {
            return probes;
        }

        synchronized int size() {
            return live;
        }

        private static long expiring(long now, long ttlMillis) {
            long at = now + ttlMillis;
            return (at < now || at > MAX_EXPIRY ? MAX_EXPIRY : at) << 1;
        }

        private static long expiry(long state) {
            return state >>> 1;
        }

        private void dropExpiredFront(long now) {
            while (count > 0 && (states[head] == EMPTY || expiry(states[head]) <= now)) {
                dropFront();
            }
        }

        private void dropFront() {
            if (states[head] != EMPTY) {
                remove(head);
            }
            arenaHead = (arenaHead + byteLength(sizes[head])) & (arena.length - 1);
            arenaUsed -= byteLength(sizes[head]);
            head = next(head);
            count--;
        }

        private static int byteLength(int size) {
            return (size >>> 1) << (size & TWO_BYTE);
        }

        private static int sizeOf(String key) {
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) > 0xFF) {
                    return key.length() << 1 | TWO_BYTE;
                }
            }
            return key.length() << 1;
        }

        private void append(String key, int hash, long state) {
            if (live >= maxEntries) {
                // The oldest claim goes first; empty slots before it go with it.
                while (states[head] == EMPTY) {
                    dropFront();
                }
                dropFront();
            }
            int size = sizeOf(key);
            int bytes = byteLength(size);
            if (bytes > MAX_ARENA_BYTES) {
                throw new IllegalArgumentException("an idempotency key of " + key.length() + " characters is too long to remember");
            }
            while (arenaUsed + bytes > MAX_ARENA_BYTES) {
                dropFront();
            }
            if (count == hashes.length || arenaUsed + bytes > arena.length) {
                // Grown while below the bound; at the bound the ring holds empty slots (live < maxEntries), squeezed out here.
                int capacity = count == hashes.length ? (int) Math.min(maxCapacity, 2L * count) : hashes.length;
                rebuild(capacity, arenaUsed + bytes);
            }
            int slot = head + count;
            if (slot >= hashes.length) {
                slot -= hashes.length;
            }
            int start = (arenaHead + arenaUsed) & (arena.length - 1);
            write(key, size, start);
            arenaUsed += bytes;
            hashes[slot] = hash;
            starts[slot] = start;
            sizes[slot] = size;
            states[slot] = state;
            count++;
            live++;
            index(hash, slot);
        }

        private void write(String key, int size, int start) {
            int mask = arena.length - 1;
            if ((size & TWO_BYTE) == 0) {
                for (int i = 0; i < key.length(); i++) {
                    arena[(start + i) & mask] = (byte) key.charAt(i);
                }
            } else {
                for (int i = 0, at = start; i < key.length(); i++, at += 2) {
                    char c = key.charAt(i);
                    arena[at & mask] = (byte) (c >> 8);
                    arena[(at + 1) & mask] = (byte) c;
                }
            }
        }

        private boolean matches(String key, int slot) {
            int size = sizes[slot];
            if (size >>> 1 != key.length()) {
                return false;
            }
            int mask = arena.length - 1;
            int start = starts[slot];
            if ((size & TWO_BYTE) == 0) {
                for (int i = 0; i < key.length(); i++) {
                    if ((arena[(start + i) & mask] & 0xFF) != key.charAt(i)) {
                        return false;
                    }
                }
            } else {
                for (int i = 0, at = start; i < key.length(); i++, at += 2) {
                    if (((arena[at & mask] & 0xFF) << 8 | (arena[(at + 1) & mask] & 0xFF)) != key.charAt(i)) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Empties {@code slot}, which holds a key; its arena bytes stay until the front passes them. */
        private void remove(int slot) {
            int hash = hashes[slot];
            long wanted = (long) slot + 1;
            int mask = index.length - 1;
            int i = home(hash);
            while ((index[i] & 0xFFFF_FFFFL) != wanted) {
                i = (i + 1) & mask;
            }
            // Linear probing without tombstones: later entries of the run move back into the gap when their home allows.
            for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
                int k = home((int) (index[j] >>> 32));
                boolean staysPut = i <= j ? i < k && k <= j : i < k || k <= j;
                if (!staysPut) {
                    index[i] = index[j];
                    i = j;
                }
            }
            index[i] = 0;
            states[slot] = EMPTY;
            live--;
        }

        /** The slot of {@code key}, or -1. */
        private int find(String key, int hash) {
            int mask = index.length - 1;
            for (int i = home(hash); index[i] != 0; i = (i + 1) & mask) {
                probes++;
                long entry = index[i];
                if ((int) (entry >>> 32) == hash) {
                    int slot = (int) entry - 1;
                    if (matches(key, slot)) {
                        return slot;
                    }
                }
            }
            return -1;
        }

        private void index(int hash, int slot) {
            int mask = index.length - 1;
            int i = home(hash);
            while (index[i] != 0) {
                i = (i + 1) & mask;
            }
            index[i] = ((long) hash << 32) | (slot + 1L);
        }

        private int home(int hash) {
            return (hash * 0x9E3779B9) >>> indexShift;
        }

        private int next(int slot) {
            return slot + 1 == hashes.length ? 0 : slot + 1;
        }

        /** Moves the remembered keys, oldest first, into a ring of {@code capacity} slots and an arena of at least {@code bytes}. */
        private void rebuild(int capacity, int bytes) {
            int[] oldHashes = hashes;
            int[] oldStarts = starts;
            int[] oldSizes = sizes;
            long[] oldStates = states;
            byte[] oldArena = arena;
            int oldHead = head;
            int oldCount = count;
            int arenaBytes = arena.length;
            while (arenaBytes < bytes) {
                arenaBytes *= 2;
            }
            allocate(capacity, arenaBytes);
            int oldMask = oldArena.length - 1;
            for (int n = 0, slot = oldHead; n < oldCount; n++, slot = slot + 1 == oldHashes.length ? 0 : slot + 1) {
                if (oldStates[slot] != EMPTY) {
                    int length = byteLength(oldSizes[slot]);
                    for (int i = 0; i < length; i++) {
                        arena[arenaUsed + i] = oldArena[(oldStarts[slot] + i) & oldMask];
                    }
                    hashes[count] = oldHashes[slot];
                    starts[count] = arenaUsed;
                    sizes[count] = oldSizes[slot];
                    states[count] = oldStates[slot];
                    index(oldHashes[slot], count);
                    arenaUsed += length;
                    count++;
                }
            }
            live = count;
        }

        private void allocate(int capacity, int arenaBytes) {
            hashes = new int[capacity];
            starts = new int[capacity];
            sizes = new int[capacity];
            states = new long[capacity];
            head = 0;
            count = 0;
            live = 0;
            // At most half full, so that probe runs stay short.
            int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(2 * capacity - 1));
            index = new long[1 << bits];
            indexShift = 32 - bits;
            arena = new byte[Integer.highestOneBit(Math.max(arenaBytes - 1, 1)) << 1];
            arenaHead = 0;
            arenaUsed = 0;
        }
    }

    /** Builds an {@link InMemoryIdempotencyStore}. */
    public static final class Builder {
        private int maxEntries = 100_000;
        private Duration doneTtl = Duration.ofDays(7);
        private Duration inFlightTtl = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** At most this many keys, up to 16,777,216; the oldest claims are forgotten first (default 100,000). */
        public Builder maxEntries(int maxEntries) {
            if (maxEntries < 1 || maxEntries > MAX_ENTRIES_LIMIT) {
                throw new IllegalArgumentException("maxEntries must be between 1 and " + MAX_ENTRIES_LIMIT
                        + "; keep more in a JdbcIdempotencyStore");
            }
            this.maxEntries = maxEntries;
            return this;
        }

        /** How long a handled key is remembered (default 7 days; newer Mautic retries for hours). */
        public Builder doneTtl(Duration doneTtl) {
            this.doneTtl = requirePositive(doneTtl, "doneTtl");
            return this;
        }

        /** How long a claim may stay unfinished before another delivery may take it (default 5 minutes). */
        public Builder inFlightTtl(Duration inFlightTtl) {
            this.inFlightTtl = requirePositive(inFlightTtl, "inFlightTtl");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public InMemoryIdempotencyStore build() {
            return new InMemoryIdempotencyStore(this);
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            try {
                d.toMillis();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + " is too long", e);
            }
            return d;
        }
    }
}
