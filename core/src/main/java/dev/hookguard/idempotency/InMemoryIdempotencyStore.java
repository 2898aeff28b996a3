package dev.hookguard.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * An {@link IdempotencyStore} in this process's memory: bounded (the oldest claims go first) and expiring.
 * Right for one instance; behind a load balancer use {@code JdbcIdempotencyStore} so that all instances share it.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

    /** Beyond this, keys belong in a database: the arrays alone would take gigabytes. */
    static final int MAX_ENTRIES_LIMIT = 1 << 24;

    private static final int INITIAL_CAPACITY = 64;
    private static final long DONE = 1L;
    private static final long MAX_EXPIRY = Long.MAX_VALUE >> 2;

    /*
     * Every key is one slot of a ring kept in claim order: the key, its hash, and its expiry shifted left by one
     * with the done flag in the lowest bit. No object per entry, so a store holding 100,000 keys costs the young
     * collector nothing but the key strings themselves. An open-addressing index of (hash << 32 | slot + 1) finds
     * a key's slot. Marking done updates the slot in place; a released or taken-over key leaves an empty slot,
     * skipped when the front reaches it and squeezed out when the ring is full.
     */
    private final int maxEntries;
    private final int maxCapacity;
    private final long doneTtlMillis;
    private final long inFlightTtlMillis;
    private final Clock clock;

    private String[] keys;
    private int[] hashes;
    private long[] states;
    private int head;
    private int count;
    private int live;
    private long[] index;
    private int indexShift;

    private InMemoryIdempotencyStore(Builder b) {
        this.maxEntries = b.maxEntries;
        // Room for released keys' empty slots, so that squeezing them out happens at most every maxEntries / 4 claims.
        this.maxCapacity = maxEntries + Math.max(1, maxEntries / 4);
        this.doneTtlMillis = b.doneTtl.toMillis();
        this.inFlightTtlMillis = b.inFlightTtl.toMillis();
        this.clock = b.clock;
        allocate(Math.min(INITIAL_CAPACITY, maxCapacity));
    }

    /** 100,000 keys, remembered for 7 days once done; an unfinished claim expires after 5 minutes. */
    public static InMemoryIdempotencyStore withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public synchronized Claim claim(String key) {
        long now = clock.millis();
        dropExpiredFront(now);
        int hash = key.hashCode();
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

    @Override
    public synchronized void markDone(String key) {
        long now = clock.millis();
        int hash = key.hashCode();
        int slot = find(key, hash);
        long done = expiring(now, doneTtlMillis) | DONE;
        if (slot >= 0) {
            states[slot] = done;
        } else {
            dropExpiredFront(now);
            append(key, hash, done);
        }
    }

    @Override
    public synchronized void release(String key) {
        int slot = find(key, key.hashCode());
        if (slot >= 0 && (states[slot] & DONE) == 0) {
            remove(slot);
        }
    }

    /** How many keys are remembered now. */
    public synchronized int size() {
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
        while (count > 0 && (keys[head] == null || expiry(states[head]) <= now)) {
            dropFront();
        }
    }

    private void dropFront() {
        if (keys[head] != null) {
            remove(head);
        }
        head = next(head);
        count--;
    }

    private void append(String key, int hash, long state) {
        if (live >= maxEntries) {
            // The oldest claim goes first; empty slots before it go with it.
            while (keys[head] == null) {
                dropFront();
            }
            dropFront();
        }
        if (count == keys.length) {
            // Grown while below the bound; at the bound the ring holds empty slots (live < maxEntries), squeezed out here.
            rebuild((int) Math.min(maxCapacity, 2L * count));
        }
        int slot = head + count;
        if (slot >= keys.length) {
            slot -= keys.length;
        }
        keys[slot] = key;
        hashes[slot] = hash;
        states[slot] = state;
        count++;
        live++;
        index(hash, slot);
    }

    /** Empties {@code slot}, which holds a key. */
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
        keys[slot] = null;
        live--;
    }

    /** The slot of {@code key}, or -1. */
    private int find(String key, int hash) {
        int mask = index.length - 1;
        for (int i = home(hash); index[i] != 0; i = (i + 1) & mask) {
            long entry = index[i];
            if ((int) (entry >>> 32) == hash) {
                int slot = (int) entry - 1;
                if (key.equals(keys[slot])) {
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
        return slot + 1 == keys.length ? 0 : slot + 1;
    }

    /** Moves the remembered keys, oldest first, into a ring of {@code capacity} slots. */
    private void rebuild(int capacity) {
        String[] oldKeys = keys;
        int[] oldHashes = hashes;
        long[] oldStates = states;
        int oldHead = head;
        int oldCount = count;
        allocate(capacity);
        for (int n = 0, slot = oldHead; n < oldCount; n++, slot = slot + 1 == oldKeys.length ? 0 : slot + 1) {
            if (oldKeys[slot] != null) {
                keys[count] = oldKeys[slot];
                hashes[count] = oldHashes[slot];
                states[count] = oldStates[slot];
                index(oldHashes[slot], count);
                count++;
            }
        }
        live = count;
    }

    private void allocate(int capacity) {
        keys = new String[capacity];
        hashes = new int[capacity];
        states = new long[capacity];
        head = 0;
        count = 0;
        live = 0;
        // At most half full, so that probe runs stay short.
        int bits = 32 - Integer.numberOfLeadingZeros(2 * capacity - 1);
        index = new long[1 << Math.max(bits, 1)];
        indexShift = 32 - Math.max(bits, 1);
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
